// Steps 2 and 4 of room v2+ state resolution: the iterative auth checks.

import type { AuthEvent, StateKey } from '../events/types.js';
import { stateKey } from '../events/types.js';
import { createEventFor } from './create-event.js';
import type { StateMap, StateResContext } from './types.js';

/**
 * "The iterative auth checks algorithm takes as input an initial room state and a sorted
 * list of state events, and constructs a new room state by iterating through the event
 * list and applying the state event to the room state if the state event is allowed by
 * the authorisation rules. If the state event is not allowed by the authorisation rules,
 * then the event is ignored. If a `(event_type, state_key)` key that is required for
 * checking the authorisation rules is not present in the state, then the appropriate
 * state event from the event's `auth_events` is used if the auth event is not rejected."
 *
 * Room v12 never lists the create event in `auth_events`; it is found from the room ID.
 * Events that cannot be fetched, and non-state events, are skipped.
 */
export function iterativeAuthChecks(
  ctx: StateResContext,
  sortedEventIds: Iterable<string>,
  initialState: StateMap,
): Map<StateKey, string> {
  const state = new Map(initialState);
  for (const id of sortedEventIds) {
    const event = ctx.event(id);
    if (!event || event.stateKey === undefined) continue;
    const fromAuthEvents = authEventsByKey(ctx, event);
    const lookup = (type: string, key: string): AuthEvent | undefined => {
      const k = stateKey(type, key);
      const current = state.get(k);
      if (current !== undefined && !ctx.isRejected(current)) {
        const fromState = ctx.event(current);
        if (fromState) return fromState;
      }
      return fromAuthEvents.get(k);
    };
    if (ctx.checkAuth(ctx.rules, event, lookup).ok) state.set(stateKey(event.type, event.stateKey), id);
  }
  return state;
}

/** The event's non-rejected auth events by `(type, state_key)`, plus its create event. */
function authEventsByKey(ctx: StateResContext, event: AuthEvent): Map<StateKey, AuthEvent> {
  const byKey = new Map<StateKey, AuthEvent>();
  for (const id of event.authEvents) {
    const auth = ctx.event(id);
    if (auth && auth.stateKey !== undefined && !ctx.isRejected(id)) byKey.set(stateKey(auth.type, auth.stateKey), auth);
  }
  const createKey = stateKey('m.room.create', '');
  if (!byKey.has(createKey)) {
    const create = createEventFor(ctx, event);
    if (create && !ctx.isRejected(create.eventId)) byKey.set(createKey, create);
  }
  return byKey;
}
