// Step 1 of room v2+ state resolution: the power events of the full conflicted set with
// their auth chains, sorted by the reverse topological power ordering (Kahn's algorithm
// with a heap).

import { powerLevelsView } from '../auth/power-levels.js';
import type { AuthEvent } from '../events/types.js';
import { createEventFor, powerLevelsAuthEvent } from './create-event.js';
import { MinHeap } from './heap.js';
import { compareEventIds, type StateResContext } from './types.js';

/**
 * "A power event is a state event with type `m.room.power_levels` or `m.room.join_rules`,
 * or a state event with type `m.room.member` where the `membership` is `leave` or `ban`
 * and the `sender` does not match the `state_key`." Like Synapse and ruma, the
 * `m.room.create` event also counts, and the first two only with an empty state_key.
 */
export function isPowerEvent(event: AuthEvent): boolean {
  if (event.stateKey === undefined) return false;
  switch (event.type) {
    case 'm.room.power_levels':
    case 'm.room.join_rules':
    case 'm.room.create':
      return event.stateKey === '';
    case 'm.room.member': {
      const membership = event.content['membership'];
      return (membership === 'leave' || membership === 'ban') && event.sender !== event.stateKey;
    }
    default:
      return false;
  }
}

/**
 * The sender's power level "when looking at their respective `auth_event`s": from the
 * power levels among its auth events; without one, 100 for the room creator and 0 for
 * everyone else. Room v12: the creators (sender and `additional_creators` of the create
 * event) have infinite power.
 */
export function senderPowerLevel(ctx: StateResContext, event: AuthEvent): number {
  const pl = powerLevelsAuthEvent(ctx, event);
  return powerLevelsView(ctx.rules, pl?.content, createEventFor(ctx, event)).userLevel(event.sender);
}

export interface PowerOrderKey {
  readonly powerLevel: number;
  readonly originServerTs: number;
}

/**
 * "The lexicographically smallest topological ordering based on the DAG formed by auth
 * events ... ordered from earliest event to latest", where x < y if x's sender has the
 * greater power level, then the smaller `origin_server_ts`, then the smaller `event_id`.
 * "Sorting the events using Kahn's algorithm ... at each step selecting, among all the
 * candidate vertices, the smallest vertex."
 *
 * `graph` maps each event to its auth events within the graph (edges to events outside it
 * are ignored). Events on a cycle, which hostile events could form, are left out.
 */
export function reverseTopologicalPowerSort(
  graph: ReadonlyMap<string, Iterable<string>>,
  orderKey: (eventId: string) => PowerOrderKey,
): string[] {
  type Item = { id: string; key: PowerOrderKey };
  const less = (x: Item, y: Item): boolean => {
    if (x.key.powerLevel !== y.key.powerLevel) return x.key.powerLevel > y.key.powerLevel;
    if (x.key.originServerTs !== y.key.originServerTs) return x.key.originServerTs < y.key.originServerTs;
    return compareEventIds(x.id, y.id) < 0;
  };
  // An event can be emitted once all its auth events (within the graph) have been.
  const pending = new Map<string, number>();
  const citedBy = new Map<string, string[]>();
  for (const [id, authIds] of graph) {
    let count = 0;
    for (const a of new Set(authIds)) {
      if (!graph.has(a) || a === id) continue;
      count++;
      const citers = citedBy.get(a);
      if (citers) citers.push(id);
      else citedBy.set(a, [id]);
    }
    pending.set(id, count);
  }
  const heap = new MinHeap<Item>(less);
  for (const [id, count] of pending) if (count === 0) heap.push({ id, key: orderKey(id) });
  const sorted: string[] = [];
  for (let item = heap.pop(); item !== undefined; item = heap.pop()) {
    sorted.push(item.id);
    for (const citer of citedBy.get(item.id) ?? []) {
      const left = pending.get(citer)! - 1;
      pending.set(citer, left);
      if (left === 0) heap.push({ id: citer, key: orderKey(citer) });
    }
  }
  return sorted;
}

/**
 * Step 1: "Select the set X of all power events that appear in the full conflicted set.
 * For each such power event P, enlarge X by adding the events in the auth chain of P
 * which also belong to the full conflicted set. Sort X into a list using the reverse
 * topological power ordering." As in Synapse and ruma, the auth chain is followed only
 * through events of the full conflicted set.
 */
export function sortedPowerEvents(ctx: StateResContext, fullConflictedSet: ReadonlySet<string>): string[] {
  const graph = new Map<string, string[]>();
  const stack: string[] = [];
  for (const id of fullConflictedSet) {
    const event = ctx.event(id);
    if (event && isPowerEvent(event)) stack.push(id);
  }
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (graph.has(id)) continue;
    const edges = (ctx.event(id)?.authEvents ?? []).filter((a) => fullConflictedSet.has(a));
    graph.set(id, edges);
    for (const a of edges) if (!graph.has(a)) stack.push(a);
  }
  return reverseTopologicalPowerSort(graph, (id) => {
    const event = ctx.event(id)!;
    return { powerLevel: senderPowerLevel(ctx, event), originServerTs: event.originServerTs };
  });
}
