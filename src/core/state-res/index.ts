// State resolution: given the states of a room at several forks (e.g. after each of an
// event's `prev_events`), the one state the spec says the room has. Pure and synchronous:
// the caller supplies every event through `getEvent` and the authorisation check to use.

import type { StateKey } from '../events/types.js';
import { createContext, type ResolveStateInput } from './types.js';
import { resolveV1 } from './v1.js';
import { resolveV2, V2, V2_1 } from './v2.js';

/**
 * Resolves `stateSets` with the room version's algorithm. The result does not depend on
 * the order of `stateSets` nor on the insertion order of their maps.
 */
export function resolveState(input: ResolveStateInput): Map<StateKey, string> {
  if (input.stateSets.length === 0) return new Map();
  if (input.stateSets.length === 1) return new Map(input.stateSets[0]);
  const ctx = createContext(input);
  switch (input.algorithm) {
    case 'v1':
      return resolveV1(ctx, input.stateSets);
    case 'v2':
      return resolveV2(ctx, input.stateSets, V2, input.authChainSets);
    case 'v2.1':
      return resolveV2(ctx, input.stateSets, V2_1, input.authChainSets);
  }
}

export type {
  AuthCheckOutcome,
  AuthStateLookup,
  CheckAuth,
  ResolveStateInput,
  StateMap,
  StateResAlgorithm,
  StateResContext,
} from './types.js';
export { createContext } from './types.js';
export { authDifference, conflictedEventIds, separate, type Separated } from './separate.js';
export { conflictedStateSubgraph, fullAuthChain, stateSetAuthChains } from './auth-chain.js';
export { fullConflictedSet, resolveV2, V2, V2_1, type V2Variant } from './v2.js';
export {
  isPowerEvent,
  reverseTopologicalPowerSort,
  senderPowerLevel,
  sortedPowerEvents,
  type PowerOrderKey,
} from './power-order.js';
export { iterativeAuthChecks } from './iterative-auth-checks.js';
export { mainlineOf, mainlinePositions, mainlineSort } from './mainline.js';
export { resolveV1, separateV1 } from './v1.js';
