// The m.room.create authorisation rule (rule 1), and the room version 12 rule 2 tying
// every other event's room_id to its create event.

import type { AuthEvent } from '../events/types.js';
import { domainOf, isValidUserId } from './ids.js';
import type { AuthRules } from './rules.js';
import { ALLOW, reject, type AuthContext, type AuthOutcome } from './types.js';

const KNOWN_ROOM_VERSIONS = new Set(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12']);

/** v12: "The room ID is the event ID of the event with sigil ! instead of $." */
export function roomIdOfCreateEvent(createEventId: string): string {
  return `!${createEventId.slice(1)}`;
}

/** Rule 1: "If type is m.room.create". */
export function checkCreate(rules: AuthRules, event: AuthEvent, ctx: AuthContext): AuthOutcome {
  // 1.1. If it has any prev_events, reject.
  if (event.prevEvents.length > 0) return reject('m.room.create: it has prev_events');
  if (rules.roomIdIsCreateEventId) {
    // 1.2. (v12) If the event has a room_id, reject. The normalised view carries either ''
    // or the room ID derived from the event ID, which a real room_id can never equal
    // (the event ID is a hash over it).
    if (event.roomId !== '' && event.roomId !== roomIdOfCreateEvent(event.eventId)) {
      return reject('m.room.create: the event has a room_id');
    }
  } else {
    // 1.2. (v1-11) If the domain of the room_id does not match the domain of the sender, reject.
    const roomDomain = domainOf(event.roomId);
    if (roomDomain === undefined || roomDomain !== domainOf(event.sender)) {
      return reject('m.room.create: the domain of the room_id does not match the domain of the sender');
    }
  }
  // 1.3. If content.room_version is present and is not a recognised version, reject.
  if (Object.hasOwn(event.content, 'room_version')) {
    const version = event.content['room_version'];
    const known = ctx.isKnownRoomVersion ?? ((v: string) => KNOWN_ROOM_VERSIONS.has(v));
    if (typeof version !== 'string' || !known(version)) {
      return reject('m.room.create: content.room_version is not a recognised version');
    }
  }
  // 1.4. (v12) If additional_creators is present in content and is not an array of strings
  // where each string passes the same user ID validation applied to sender, reject.
  if (rules.privilegedCreators && Object.hasOwn(event.content, 'additional_creators')) {
    const additional = event.content['additional_creators'];
    if (!Array.isArray(additional) || !additional.every(isValidUserId)) {
      return reject('m.room.create: additional_creators is not an array of valid user IDs');
    }
  }
  // 1.4. (v1-10) If content has no creator property, reject.
  if (!rules.useCreateSenderAsCreator && !Object.hasOwn(event.content, 'creator')) {
    return reject('m.room.create: content has no creator property');
  }
  // 1.5. Otherwise, allow.
  return ALLOW;
}
