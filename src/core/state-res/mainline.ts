// Step 3 of room v2+ state resolution: the mainline ordering of the events that are not
// power events, based on the power levels event of the partially resolved state.

import { powerLevelsAuthEvent } from './create-event.js';
import { compareEventIds, type StateResContext } from './types.js';

/**
 * "Let P = P0 be an `m.room.power_levels` event. Starting with i = 0, repeatedly fetch
 * P(i+1), the `m.room.power_levels` event in the `auth_events` of Pi ... The mainline of
 * P0 is the list of events [P0, P1, ..., Pn]." Returns each mainline event's index i.
 */
export function mainlineOf(ctx: StateResContext, powerLevelsId: string | undefined): Map<string, number> {
  const mainline = new Map<string, number>();
  let id = powerLevelsId;
  // A hostile cycle of power levels events would loop: stop at the first repeat.
  while (id !== undefined && !mainline.has(id)) {
    mainline.set(id, mainline.size);
    const event = ctx.event(id);
    id = event ? powerLevelsAuthEvent(ctx, event)?.eventId : undefined;
  }
  return mainline;
}

/**
 * Mainline positions: for e = e0, "find the smallest index j ≥ 1 for which e_j belongs to
 * the mainline of P ... then e_j = P_i ... Otherwise set i = ∞". Each power levels
 * event's position is computed once, so a set of events sharing history costs one walk.
 */
export function mainlinePositions(
  ctx: StateResContext,
  mainline: ReadonlyMap<string, number>,
  eventIds: Iterable<string>,
): Map<string, number> {
  const memo = new Map<string, number>(); // power levels event → its first mainline index
  const positionOf = (plId: string): number => {
    const walked: string[] = [];
    let id: string | undefined = plId;
    let position = Infinity;
    const seen = new Set<string>();
    while (id !== undefined && !seen.has(id)) {
      seen.add(id);
      const known = mainline.get(id) ?? memo.get(id);
      if (known !== undefined) {
        position = known;
        break;
      }
      walked.push(id);
      const event = ctx.event(id);
      id = event ? powerLevelsAuthEvent(ctx, event)?.eventId : undefined;
    }
    for (const w of walked) memo.set(w, position);
    return position;
  };
  const positions = new Map<string, number>();
  for (const id of eventIds) {
    const event = ctx.event(id);
    const pl = event ? powerLevelsAuthEvent(ctx, event) : undefined;
    positions.set(id, pl ? positionOf(pl.eventId) : Infinity);
  }
  return positions;
}

/**
 * "The mainline ordering based on P of a set of events is the ordering, from smallest to
 * largest, using the following comparison relation on events: for events x and y, x < y
 * if 1. the mainline position of x is greater than the mainline position of y ...; or
 * 2. ... x's `origin_server_ts` is less than y's; or 3. ... x's `event_id` is less than
 * y's `event_id`." Events that cannot be fetched are left out.
 */
export function mainlineSort(ctx: StateResContext, eventIds: Iterable<string>, powerLevelsId: string | undefined): string[] {
  const known = [...new Set(eventIds)].filter((id) => ctx.event(id) !== undefined);
  const positions = mainlinePositions(ctx, mainlineOf(ctx, powerLevelsId), known);
  const keyed = known.map((id) => ({ id, position: positions.get(id)!, ts: ctx.event(id)!.originServerTs }));
  keyed.sort((x, y) => {
    if (x.position !== y.position) return x.position > y.position ? -1 : 1;
    if (x.ts !== y.ts) return x.ts < y.ts ? -1 : 1;
    return compareEventIds(x.id, y.id);
  });
  return keyed.map((k) => k.id);
}
