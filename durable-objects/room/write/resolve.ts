// Merging forks: the state after several events, resolved with the room version's
// algorithm (resolveState), and the current state following the forward extremities.
import { checkAuth } from '../../../src/core/auth/index.js';
import { resolveState } from '../../../src/core/state-res/index.js';
import { splitStateKey, type StateKey } from '../../../src/core/events/types.js';
import { authChain, forwardExtremities, getEventRow } from '../store/events.js';
import { currentStateEntries, deleteMember } from '../store/current-state.js';
import { createGroup, groupStateMap, type StateChange } from '../store/state-groups.js';
import { setCurrentGroup } from '../store/meta.js';
import { isSummaryStateType } from '../../../src/core/room-summary.js';
import { recordMembership } from './append.js';
import { enqueueSummary } from './summary.js';
import type { RoomStore } from '../store/room-store.js';

/** The resolved state of several state groups. Loads each group's state into memory. */
export function resolveGroups(store: RoomStore, groups: readonly number[]): Map<StateKey, string> {
  const { sql, version } = store;
  const stateSets = groups.map((g) => groupStateMap(sql, g));
  return resolveState({
    algorithm: version.stateResolution,
    rules: version.auth,
    stateSets,
    getEvent: (id) => store.authEvent(id),
    checkAuth: (rules, event, lookup) => checkAuth(rules, event, lookup),
    authChainOf: (id) => authChain(sql, id),
    isRejected: (id) => store.isRejected(id),
  });
}

/** A state group holding `state`, as a delta from `base` (which is returned if they are equal). */
export function groupForState(store: RoomStore, state: ReadonlyMap<StateKey, string>, base: number): number {
  const baseState = groupStateMap(store.sql, base);
  const changes: StateChange[] = [];
  for (const [k, id] of state) {
    if (baseState.get(k) !== id) changes.push([...splitStateKey(k), id]);
  }
  for (const k of baseState.keys()) if (!state.has(k)) changes.push([...splitStateKey(k), null]);
  return changes.length === 0 ? base : createGroup(store.sql, base, changes);
}

/** The state before an event with these prev events: one group, or the resolution of several. */
export function stateBefore(store: RoomStore, prevGroups: readonly number[]): number | null {
  const unique = [...new Set(prevGroups)];
  if (unique.length === 0) return null;
  if (unique.length === 1) return unique[0]!;
  return groupForState(store, resolveGroups(store, unique), unique[0]!);
}

/**
 * Recomputes the current state from the forward extremities and applies the difference to
 * current_state and members (with outbox rows at `position`, the stream of the event that
 * caused the change, so the D1 index orders them after earlier changes).
 */
export function recomputeCurrentState(store: RoomStore, position: number): void {
  const { sql } = store;
  const groups = [...new Set(forwardExtremities(sql).map((x) => x.sg_after).filter((g): g is number => g !== null))];
  if (groups.length === 0) return;
  const target = groups.length === 1 ? groups[0]! : groupForState(store, resolveGroups(store, groups), groups[0]!);
  if (target === store.meta.currentGroup) return;
  const next = groupStateMap(sql, target);
  const changes: StateChange[] = [];
  const seen = new Set<StateKey>();
  for (const [type, key, id] of currentStateEntries(sql)) {
    const k = `${type}\u0000${key}`;
    seen.add(k);
    const want = next.get(k);
    if (want !== id) changes.push([type, key, want ?? null]);
  }
  for (const [k, id] of next) if (!seen.has(k)) changes.push([...splitStateKey(k), id]);
  for (const [type, key, id] of changes) {
    store.setCurrentState(type, key, id);
    if (type !== 'm.room.member') continue;
    const row = id === null ? undefined : getEventRow(sql, id);
    if (!row || row.membership === null) deleteMember(sql, key);
    else recordMembership(store, key, row.membership, row.event_id, position, JSON.parse(row.json).content ?? {});
  }
  setCurrentGroup(sql, target);
  store.setCurrentGroup(target);
  if (changes.some(([type, key]) => key === '' && isSummaryStateType(type))) enqueueSummary(store, position);
}
