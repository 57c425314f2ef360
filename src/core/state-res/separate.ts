// Splitting the states to resolve into the unconflicted state map and the conflicted state
// set (room v2+ "Definitions"), and the auth difference built on the same state sets.

import type { StateKey } from '../events/types.js';
import type { StateMap } from './types.js';

export interface Separated {
  /** Keys present in every state set with the same event. */
  readonly unconflicted: Map<StateKey, string>;
  /** Every other key, with the distinct events the state sets give it. */
  readonly conflicted: Map<StateKey, Set<string>>;
}

/**
 * "If a given key K is present in every S_i with the same value V in each state map, then
 * the pair (K, V) belongs to the unconflicted state map. Otherwise, V belongs to the
 * conflicted state set." A key missing from some state set is therefore conflicted.
 */
export function separate(stateSets: ReadonlyArray<StateMap>): Separated {
  const unconflicted = new Map<StateKey, string>();
  const conflicted = new Map<StateKey, Set<string>>();
  for (const state of stateSets) {
    for (const [key, eventId] of state) {
      if (unconflicted.has(key) || conflicted.has(key)) continue;
      const values = new Set<string>();
      let inEvery = true;
      for (const other of stateSets) {
        const v = other.get(key);
        if (v === undefined) inEvery = false;
        else values.add(v);
      }
      if (inEvery && values.size === 1) unconflicted.set(key, eventId);
      else conflicted.set(key, values);
    }
  }
  return { unconflicted, conflicted };
}

/** The conflicted state set as a flat set of event IDs. */
export function conflictedEventIds(conflicted: ReadonlyMap<StateKey, ReadonlySet<string>>): Set<string> {
  const ids = new Set<string>();
  for (const values of conflicted.values()) for (const id of values) ids.add(id);
  return ids;
}

/**
 * "If C_i is the full auth chain of S_i, then the auth difference is ∪ C_i − ∩ C_i":
 * every event that does not appear in every auth chain.
 */
export function authDifference(authChains: ReadonlyArray<ReadonlySet<string>>): Set<string> {
  const difference = new Set<string>();
  if (authChains.length < 2) return difference;
  const inEvery = new Set<string>();
  for (const chain of authChains) {
    for (const id of chain) {
      if (difference.has(id) || inEvery.has(id)) continue;
      if (authChains.every((other) => other.has(id))) inEvery.add(id);
      else difference.add(id);
    }
  }
  return difference;
}
