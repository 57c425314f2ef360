// Finding an event's room create event. Before room v12 it is one of the event's
// auth_events; in room v12 it never is, and "the room ID is the event ID of the
// [create] event with sigil `!` instead of `$`".

import type { AuthEvent } from '../events/types.js';
import type { StateResContext } from './types.js';

export function createEventFor(ctx: StateResContext, event: AuthEvent): AuthEvent | undefined {
  if (event.type === 'm.room.create' && event.stateKey === '') return undefined;
  if (ctx.rules.roomIdIsCreateEventId) {
    if (!event.roomId.startsWith('!')) return undefined;
    const create = ctx.event(`$${event.roomId.slice(1)}`);
    return create && isCreate(create) ? create : undefined;
  }
  for (const id of event.authEvents) {
    const auth = ctx.event(id);
    if (auth && isCreate(auth)) return auth;
  }
  return undefined;
}

export const isCreate = (e: AuthEvent): boolean => e.type === 'm.room.create' && e.stateKey === '';
export const isPowerLevels = (e: AuthEvent): boolean => e.type === 'm.room.power_levels' && e.stateKey === '';

/** The `m.room.power_levels` event among an event's auth_events, if any. */
export function powerLevelsAuthEvent(ctx: StateResContext, event: AuthEvent): AuthEvent | undefined {
  for (const id of event.authEvents) {
    const auth = ctx.event(id);
    if (auth && isPowerLevels(auth)) return auth;
  }
  return undefined;
}
