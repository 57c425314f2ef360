// The inputs of state resolution, and the per-call context every step shares: a memoised
// event lookup, the room version's rules, and the authorisation check to apply. The
// resolver does no I/O: the caller fetches every event it may need beforehand and answers
// `getEvent` synchronously (from SQLite in the room object, from a Map in tests).

import type { AuthRules } from '../auth/rules.js';
import type { AuthEvent, StateKey } from '../events/types.js';
import type { StateResolutionAlgorithm } from '../room-versions.js';

/** `v1`: room v1. `v2`: room v2-v11. `v2.1`: room v12 (MSC4297). As `RoomVersion.stateResolution`. */
export type StateResAlgorithm = StateResolutionAlgorithm;

/** A room state: `(type, state_key)` → event ID. */
export type StateMap = ReadonlyMap<StateKey, string>;

export type AuthStateLookup = (type: string, stateKey: string) => AuthEvent | undefined;
export type AuthCheckOutcome = { ok: true } | { ok: false; reason: string };

/** The authorisation rules, as `core/auth`'s `checkAuth` (with its context bound, if any). */
export type CheckAuth = (rules: AuthRules, event: AuthEvent, authState: AuthStateLookup) => AuthCheckOutcome;

export interface ResolveStateInput {
  readonly algorithm: StateResAlgorithm;
  readonly rules: AuthRules;
  /** The states to resolve, e.g. the states after each `prev_event`. Order does not matter. */
  readonly stateSets: ReadonlyArray<StateMap>;
  /** Every event in the state sets and their auth chains; `undefined` if unknown. */
  getEvent(eventId: string): AuthEvent | undefined;
  readonly checkAuth: CheckAuth;
  /**
   * Optional: the full auth chain of each state set, in the order of `stateSets` (the union
   * of the auth chains of its events, not including the events themselves unless some
   * other event of the set cites them). Without it the chains are walked via `getEvent`.
   */
  readonly authChainSets?: ReadonlyArray<ReadonlySet<string>>;
  /**
   * Optional: the auth chain of one event (its auth events, recursively, excluding itself),
   * e.g. from an auth-chain index. Used instead of walking `authEvents` when given.
   */
  authChainOf?(eventId: string): Iterable<string> | undefined;
  /**
   * Whether an event was rejected on receipt (failed auth against its auth chain). The
   * spec says such events are never used as auth events in the iterative auth checks.
   */
  isRejected?(eventId: string): boolean;
}

/** What each step of the algorithm needs; built once per resolution by `createContext`. */
export interface StateResContext {
  readonly rules: AuthRules;
  readonly checkAuth: CheckAuth;
  event(eventId: string): AuthEvent | undefined;
  isRejected(eventId: string): boolean;
  authChainOf?: ((eventId: string) => Iterable<string> | undefined) | undefined;
}

export function createContext(
  input: Pick<ResolveStateInput, 'rules' | 'checkAuth' | 'getEvent' | 'isRejected' | 'authChainOf'>,
): StateResContext {
  // The caller's lookup may be a SQLite query: ask it at most once per event.
  const cache = new Map<string, AuthEvent | undefined>();
  const isRejected = input.isRejected;
  return {
    rules: input.rules,
    checkAuth: input.checkAuth,
    event(eventId) {
      if (cache.has(eventId)) return cache.get(eventId);
      const event = input.getEvent(eventId);
      cache.set(eventId, event);
      return event;
    },
    isRejected: isRejected ? (id) => isRejected(id) : () => false,
    authChainOf: input.authChainOf ? (id) => input.authChainOf!(id) : undefined,
  };
}

/** Event IDs compare by code point, as in Synapse (Python `str`) and ruma (Rust `str`). */
export function compareEventIds(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca === cb) continue;
    // UTF-16 order is code-point order unless a surrogate is involved: then compare the
    // code points that start here (earlier units are equal, so this is exact).
    if (ca >= 0xd800 || cb >= 0xd800) return a.codePointAt(i)! - b.codePointAt(i)!;
    return ca - cb;
  }
  return a.length - b.length;
}
