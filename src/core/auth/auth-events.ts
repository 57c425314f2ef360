// The auth_events of an event: which state the server-server "Auth events selection"
// algorithm picks, and the room versions' rule "Considering the event's auth_events"
// on a list of them. Rule numbers are room version 12's (rule 3; rule 2 in v1-11).
// Whether an entry was itself rejected (rule 3.3) is the caller's to know and check.

import type { AuthEvent } from '../events/types.js';
import { reject, ALLOW, type AuthOutcome } from './types.js';
import type { AuthRules } from './rules.js';

export interface AuthTypesInput {
  type: string;
  sender: string;
  stateKey: string | undefined;
  content: Record<string, unknown>;
}

/** The (type, state_key) pairs that may go into an event's auth_events, without duplicates. */
export function authTypesForEvent(rules: AuthRules, event: AuthTypesInput): Array<[string, string]> {
  // "The auth_events for the m.room.create event in a room is empty".
  if (event.type === 'm.room.create') return [];
  const out: Array<[string, string]> = [];
  const add = (type: string, stateKey: string): void => {
    if (!out.some(([t, k]) => t === type && k === stateKey)) out.push([type, stateKey]);
  };
  // "Depending on the room version, the m.room.create event." (Never in v12: the room_id
  // implies it.)
  if (!rules.roomIdIsCreateEventId) add('m.room.create', '');
  // "The current m.room.power_levels event, if any."
  add('m.room.power_levels', '');
  // "The sender's current m.room.member event, if any."
  add('m.room.member', event.sender);
  if (event.type === 'm.room.member') {
    const membership = event.content['membership'];
    // "The target's current m.room.member event, if any."
    if (event.stateKey !== undefined) add('m.room.member', event.stateKey);
    // "If membership is join, invite or knock, the current m.room.join_rules event, if any."
    if (membership === 'join' || membership === 'invite' || membership === 'knock') {
      add('m.room.join_rules', '');
    }
    // "If membership is invite and content contains a third_party_invite property, the
    // current m.room.third_party_invite event with state_key matching
    // content.third_party_invite.signed.token, if any."
    if (membership === 'invite') {
      const token = thirdPartyInviteToken(event.content);
      if (token !== undefined) add('m.room.third_party_invite', token);
    }
    // "If membership is join, content.join_authorised_via_users_server is present, and the
    // room version supports restricted rooms, then the m.room.member event with state_key
    // matching content.join_authorised_via_users_server."
    const authoriser = event.content['join_authorised_via_users_server'];
    if (rules.restrictedJoinRule && membership === 'join' && typeof authoriser === 'string') {
      add('m.room.member', authoriser);
    }
  }
  return out;
}

function thirdPartyInviteToken(content: Record<string, unknown>): string | undefined {
  const tpi = content['third_party_invite'];
  if (typeof tpi !== 'object' || tpi === null) return undefined;
  const signed = (tpi as Record<string, unknown>)['signed'];
  if (typeof signed !== 'object' || signed === null) return undefined;
  const token = (signed as Record<string, unknown>)['token'];
  return typeof token === 'string' ? token : undefined;
}

/**
 * "Considering the event's auth_events" for an event whose auth_events resolved to
 * `authEvents`. An m.room.create event is allowed or rejected by rule 1 before this rule.
 */
export function checkAuthEventsShape(rules: AuthRules, event: AuthEvent, authEvents: AuthEvent[]): AuthOutcome {
  if (event.type === 'm.room.create') return ALLOW;
  const allowed = authTypesForEvent(rules, event);
  const seen = new Set<string>();
  let hasCreate = false;
  for (const authEvent of authEvents) {
    if (authEvent.stateKey === undefined) {
      return reject(`auth_events entry ${authEvent.eventId} (${authEvent.type}) is not a state event`);
    }
    const pair = `${authEvent.type}\u0000${authEvent.stateKey}`;
    // 3.1. If there are duplicate entries for a given type and state_key pair, reject.
    if (seen.has(pair)) {
      return reject(
        `there are duplicate auth_events entries for (${authEvent.type}, ${JSON.stringify(authEvent.stateKey)})`,
      );
    }
    seen.add(pair);
    // 3.2. If there are entries whose type and state_key don't match those specified by
    // the auth events selection algorithm, reject. (v12: m.room.create MUST NOT be selected.)
    if (!allowed.some(([t, k]) => t === authEvent.type && k === authEvent.stateKey)) {
      return reject(
        `auth_events entry (${authEvent.type}, ${JSON.stringify(authEvent.stateKey)}) does not match the auth events selection`,
      );
    }
    if (authEvent.type === 'm.room.create') hasCreate = true;
    // 3.5. If any event in auth_events has a room_id which does not match that of the event
    // being authorised, reject.
    if (authEvent.roomId !== event.roomId) {
      return reject(
        `an event in auth_events has a room_id which does not match that of the event being authorised (${authEvent.eventId})`,
      );
    }
  }
  // (v1-11) 2.4. If there is no m.room.create event among the entries, reject.
  if (!rules.roomIdIsCreateEventId && !hasCreate) {
    return reject('there is no m.room.create event among the auth_events');
  }
  return ALLOW;
}
