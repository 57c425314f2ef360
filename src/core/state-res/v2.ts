// The state resolution algorithm of room versions 2 to 11 (v2), and its room v12 revision
// (v2.1, MSC4297), which differs in two places: the conflicted state subgraph joins the
// full conflicted set, and the first iterative auth checks start from an empty state map.

import type { StateKey } from '../events/types.js';
import { stateKey } from '../events/types.js';
import { conflictedStateSubgraph, stateSetAuthChains } from './auth-chain.js';
import { iterativeAuthChecks } from './iterative-auth-checks.js';
import { mainlineSort } from './mainline.js';
import { sortedPowerEvents } from './power-order.js';
import { authDifference, conflictedEventIds, separate } from './separate.js';
import type { StateMap, StateResContext } from './types.js';

export interface V2Variant {
  /** v2.1: "the full conflicted set is the union of the conflicted state set, the conflicted state subgraph, and the auth difference". */
  readonly addConflictedStateSubgraph: boolean;
  /** v2.1: step 2 applies the iterative auth checks "starting from an *empty* state map". */
  readonly beginWithEmptyStateMap: boolean;
}

export const V2: V2Variant = { addConflictedStateSubgraph: false, beginWithEmptyStateMap: false };
export const V2_1: V2Variant = { addConflictedStateSubgraph: true, beginWithEmptyStateMap: true };

/**
 * The full conflicted set: "the union of the conflicted state set and the auth
 * difference" (v2.1: and the conflicted state subgraph). Like ruma, events that cannot
 * be fetched are left out, since nothing about them can be checked.
 */
export function fullConflictedSet(
  ctx: StateResContext,
  stateSets: ReadonlyArray<StateMap>,
  conflictedIds: ReadonlySet<string>,
  variant: V2Variant,
  authChainSets?: ReadonlyArray<ReadonlySet<string>>,
): Set<string> {
  const full = new Set<string>();
  const add = (id: string) => {
    if (ctx.event(id) !== undefined) full.add(id);
  };
  for (const id of conflictedIds) add(id);
  for (const id of authDifference(authChainSets ?? stateSetAuthChains(ctx, stateSets))) add(id);
  if (variant.addConflictedStateSubgraph) for (const id of conflictedStateSubgraph(ctx, conflictedIds)) add(id);
  return full;
}

export function resolveV2(
  ctx: StateResContext,
  stateSets: ReadonlyArray<StateMap>,
  variant: V2Variant,
  authChainSets?: ReadonlyArray<ReadonlySet<string>>,
): Map<StateKey, string> {
  const { unconflicted, conflicted } = separate(stateSets);
  if (conflicted.size === 0) return unconflicted;
  const full = fullConflictedSet(ctx, stateSets, conflictedEventIds(conflicted), variant, authChainSets);

  // 1. Select the set X of all power events that appear in the full conflicted set. For
  //    each such power event P, enlarge X by adding the events in the auth chain of P which
  //    also belong to the full conflicted set. Sort X into a list using the reverse
  //    topological power ordering.
  const powerEvents = sortedPowerEvents(ctx, full);

  // 2. Apply the iterative auth checks algorithm, starting from the unconflicted state map
  //    (v2.1: from an empty state map), to the list of events from the previous step to
  //    get a partially resolved state.
  const partial = iterativeAuthChecks(ctx, powerEvents, variant.beginWithEmptyStateMap ? new Map() : unconflicted);

  // 3. Take all remaining events that weren't picked in step 1 and order them by the
  //    mainline ordering based on the power level in the partially resolved state
  //    obtained in step 2.
  const picked = new Set(powerEvents);
  const remaining = [...full].filter((id) => !picked.has(id));
  const sortedRemaining = mainlineSort(ctx, remaining, partial.get(stateKey('m.room.power_levels', '')));

  // 4. Apply the iterative auth checks algorithm on the partial resolved state and the list
  //    of events from the previous step.
  const resolved = iterativeAuthChecks(ctx, sortedRemaining, partial);

  // 5. Update the result by replacing any event with the event with the same key from the
  //    unconflicted state map, if such an event exists, to get the final resolved state.
  for (const [key, id] of unconflicted) resolved.set(key, id);
  return resolved;
}
