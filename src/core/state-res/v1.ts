// The state resolution algorithm of room version 1. The spec warns it "is known to have
// bugs that can cause the state of rooms to reset"; it is kept for room v1 only. Where
// the spec is silent (what if every normal event fails auth), this follows Synapse.

import { sha1 } from '@noble/hashes/legacy.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { AuthEvent, StateKey } from '../events/types.js';
import { splitStateKey, stateKey } from '../events/types.js';
import type { StateMap, StateResContext } from './types.js';

/**
 * "A conflict occurs between states where those states have different `event_ids` for
 * the same `(event_type, state_key)`." Unlike v2, a key that some states lack is not a
 * conflict.
 */
export function separateV1(stateSets: ReadonlyArray<StateMap>): {
  unconflicted: Map<StateKey, string>;
  conflicted: Map<StateKey, Set<string>>;
} {
  const values = new Map<StateKey, Set<string>>();
  for (const state of stateSets) {
    for (const [key, id] of state) {
      const set = values.get(key);
      if (set) set.add(id);
      else values.set(key, new Set([id]));
    }
  }
  const unconflicted = new Map<StateKey, string>();
  const conflicted = new Map<StateKey, Set<string>>();
  for (const [key, ids] of values) {
    if (ids.size === 1) unconflicted.set(key, ids.values().next().value!);
    else conflicted.set(key, ids);
  }
  return { unconflicted, conflicted };
}

export function resolveV1(ctx: StateResContext, stateSets: ReadonlyArray<StateMap>): Map<StateKey, string> {
  const { unconflicted, conflicted } = separateV1(stateSets);
  // "Start by setting R to the union of the states to be resolved, excluding any
  // conflicting events."
  const r = new Map(unconflicted);
  if (conflicted.size === 0) return r;
  const byType = (type: string) => [...conflicted].filter(([key]) => splitStateKey(key)[0] === type);

  // "First we resolve conflicts between `m.room.power_levels` events", then "repeat the
  // above process for conflicts between `m.room.join_rules` events" and "between
  // `m.room.member` events". Each key of a pass is resolved against R as it was when the
  // pass began (as Synapse does), so the order of keys cannot matter.
  for (const type of ['m.room.power_levels', 'm.room.join_rules', 'm.room.member']) {
    const winners = byType(type).map(([key, ids]) => [key, resolveAuthEvents(ctx, ids, r)] as const);
    for (const [key, winner] of winners) if (winner !== undefined) r.set(key, winner);
  }

  // "No other events affect the authorisation rules, so for all other conflicts, just pick
  // the event with the highest depth and lowest `sha1(event_id)` that passes
  // authentication in R and add it to R."
  const others = [...conflicted].filter(([key]) => {
    const type = splitStateKey(key)[0];
    return type !== 'm.room.power_levels' && type !== 'm.room.join_rules' && type !== 'm.room.member';
  });
  const winners = others.map(([key, ids]) => [key, resolveNormalEvents(ctx, ids, r)] as const);
  for (const [key, winner] of winners) if (winner !== undefined) r.set(key, winner);
  return r;
}

/**
 * "Assemble all the [conflicting] events ... into a list. Sort the list by ascending
 * `depth` then descending `sha1(event_id)`. Add the first event in the list to R. For each
 * subsequent event in the list, check that the event would be allowed by the
 * authorisation rules for a room in state R. If the event would be allowed, then update R
 * with the event and continue with the next event in the list. If it would not be
 * allowed, stop."
 */
function resolveAuthEvents(ctx: StateResContext, ids: ReadonlySet<string>, r: StateMap): string | undefined {
  const events = orderedByDepth(ctx, ids).reverse(); // ascending depth, descending sha1
  let accepted = events[0];
  if (!accepted) return undefined;
  for (const event of events.slice(1)) {
    const current = accepted;
    const lookup = stateLookup(ctx, r, current);
    if (!ctx.checkAuth(ctx.rules, event, lookup).ok) break;
    accepted = event;
  }
  return accepted.eventId;
}

/** The first event by descending depth, ascending sha1 that passes auth in R; else the last. */
function resolveNormalEvents(ctx: StateResContext, ids: ReadonlySet<string>, r: StateMap): string | undefined {
  const events = orderedByDepth(ctx, ids);
  const lookup = stateLookup(ctx, r, undefined);
  for (const event of events) if (ctx.checkAuth(ctx.rules, event, lookup).ok) return event.eventId;
  return events.at(-1)?.eventId;
}

/** Descending `depth`, then ascending `sha1(event_id)` (Synapse's `_ordered_events`). */
function orderedByDepth(ctx: StateResContext, ids: ReadonlySet<string>): AuthEvent[] {
  const keyed = [...ids].flatMap((id) => {
    const event = ctx.event(id);
    return event ? [{ event, hash: bytesToHex(sha1(utf8ToBytes(id))) }] : [];
  });
  keyed.sort((x, y) => y.event.depth - x.event.depth || (x.hash < y.hash ? -1 : x.hash > y.hash ? 1 : 0));
  return keyed.map((k) => k.event);
}

/** R, with `overlay` (the last event accepted for the key being resolved) applied. */
function stateLookup(ctx: StateResContext, r: StateMap, overlay: AuthEvent | undefined) {
  const overlayKey = overlay && overlay.stateKey !== undefined ? stateKey(overlay.type, overlay.stateKey) : undefined;
  return (type: string, key: string): AuthEvent | undefined => {
    const k = stateKey(type, key);
    if (k === overlayKey) return overlay;
    const id = r.get(k);
    return id === undefined ? undefined : ctx.event(id);
  };
}
