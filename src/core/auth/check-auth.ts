// The authorisation rules of room versions 1 to 12 ("Authorisation rules" in each room
// version's spec), checking one event against the state the caller supplies. Rule numbers
// are room version 12's. v6-11 lack rule 2, so number the later rules one lower; v1-5 lack
// it too but have the m.room.aliases rule 4, so from m.room.member (5) on they match v12;
// v1-2 add the m.room.redaction rule 11.
// "Considering the event's auth_events" is `checkAuthEventsShape`, for the caller to apply.

import type { AuthEvent } from '../events/types.js';
import { checkCreate, roomIdOfCreateEvent } from './create.js';
import { domainOf } from './ids.js';
import { checkMembership, membershipOf } from './membership.js';
import { checkPowerLevelsEvent } from './power-levels-event.js';
import { powerLevelsView } from './power-levels.js';
import type { AuthRules } from './rules.js';
import { ALLOW, reject, type AuthContext, type AuthOutcome, type StateLookup } from './types.js';

/**
 * Whether `event` passes the authorisation rules of `rules` against `authState` (its
 * auth_events, or the state before it, as the caller decides; in v12 the lookup must still
 * answer the m.room.create event). Never throws on hostile content.
 */
export function checkAuth(
  rules: AuthRules,
  event: AuthEvent,
  authState: StateLookup,
  ctx: AuthContext = {},
): AuthOutcome {
  // 1. If type is m.room.create: ...
  if (event.type === 'm.room.create') return checkCreate(rules, event, ctx);

  const create = authState('m.room.create', '');
  if (rules.roomIdIsCreateEventId) {
    // 2. (v12) If the event's room_id is not an event ID for an accepted (not rejected)
    // m.room.create event, with the sigil ! instead of $, reject.
    if (!create || event.roomId !== roomIdOfCreateEvent(create.eventId)) {
      return reject("the event's room_id is not the event ID of the room's m.room.create event");
    }
  } else {
    // (v1-11) 2.4. If there is no m.room.create event among the entries, reject.
    if (!create) return reject('there is no m.room.create event in the auth state');
    // (v1-11) 2.5. If any event in auth_events has a room_id which does not match that of
    // the event being authorised, reject.
    if (create.roomId !== event.roomId) {
      return reject("the m.room.create event's room_id does not match that of the event being authorised");
    }
  }

  // 4. If the content of the m.room.create event in the room state has the property
  // m.federate set to false, and the sender domain of the event does not match the sender
  // domain of the create event, reject.
  if (create.content['m.federate'] === false && domainOf(event.sender) !== domainOf(create.sender)) {
    return reject('the room is not federated (m.federate is false) and the sender is from another server');
  }

  // (v1-5) 4. If type is m.room.aliases:
  if (rules.specialCaseAliasesAuth && event.type === 'm.room.aliases') {
    // 4.1. If event has no state_key, reject.
    if (event.stateKey === undefined) return reject('m.room.aliases: event has no state_key');
    // 4.2. If sender's domain doesn't match state_key, reject.
    if (domainOf(event.sender) !== event.stateKey) return reject("m.room.aliases: sender's domain doesn't match state_key");
    // 4.3. Otherwise, allow.
    return ALLOW;
  }

  const powerLevels = authState('m.room.power_levels', '');
  const pl = powerLevelsView(rules, powerLevels?.content, create);

  // 5. If type is m.room.member: ...
  if (event.type === 'm.room.member') return checkMembership(rules, event, authState, pl, ctx);

  // 6. If the sender's current membership state is not join, reject.
  if (membershipOf(authState, event.sender) !== 'join') {
    return reject("the sender's current membership state is not join");
  }

  const senderLevel = pl.userLevel(event.sender);
  // 7. If type is m.room.third_party_invite: allow if and only if sender's current power
  // level is greater than or equal to the invite level.
  if (event.type === 'm.room.third_party_invite') {
    if (senderLevel >= pl.level('invite')) return ALLOW;
    return reject("m.room.third_party_invite: the sender's power level is less than the invite level");
  }

  // 8. If the event type's required power level is greater than the sender's power level, reject.
  const required = pl.eventLevel(event.type, event.stateKey !== undefined);
  if (required > senderLevel) {
    return reject(`the required power level for ${event.type} (${required}) is greater than the sender's (${senderLevel})`);
  }

  // 9. If the event has a state_key that starts with an @ and does not match the sender, reject.
  if (event.stateKey !== undefined && event.stateKey.startsWith('@') && event.stateKey !== event.sender) {
    return reject('the event has a state_key that starts with an @ and does not match the sender');
  }

  // 10. If type is m.room.power_levels: ...
  if (event.type === 'm.room.power_levels') {
    return checkPowerLevelsEvent(rules, event, powerLevels, pl, create);
  }

  // (v1-2) 11. If type is m.room.redaction:
  if (rules.redactionDomainCheck && event.type === 'm.room.redaction') {
    // 11.1. If the sender's power level is greater than or equal to the redact level, allow.
    if (senderLevel >= pl.level('redact')) return ALLOW;
    // 11.2. If the domain of the event_id of the event being redacted is the same as the
    // domain of the event_id of the m.room.redaction, allow.
    const redactedDomain = typeof event.redacts === 'string' ? domainOf(event.redacts) : undefined;
    if (redactedDomain !== undefined && redactedDomain === domainOf(event.eventId)) return ALLOW;
    // 11.3. Otherwise, reject.
    return reject('m.room.redaction: below the redact level and the redacted event is from another domain');
  }

  // 11. Otherwise, allow.
  return ALLOW;
}
