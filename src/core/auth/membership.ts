// The m.room.member authorisation rules: join, invite, leave, ban and knock. Rule numbers
// are room version 12's (rule 5, as in v1-5; rule 4 in v6-11). Before v8 there is no x.2
// (join_authorised_via_users_server), so there join is x.2, invite x.3, and so on.
// Version differences are the AuthRules flags.

import type { AuthEvent } from '../events/types.js';
import { creatorOf } from './creators.js';
import { domainOf } from './ids.js';
import type { PowerLevelsView } from './power-levels.js';
import type { AuthRules } from './rules.js';
import { checkThirdPartyInvite } from './third-party-invite.js';
import { ALLOW, reject, type AuthContext, type AuthOutcome, type StateLookup } from './types.js';

/** A user's current membership in `state`, or undefined if they have no member event. */
export function membershipOf(state: StateLookup, userId: string): string | undefined {
  const membership = state('m.room.member', userId)?.content['membership'];
  return typeof membership === 'string' ? membership : undefined;
}

/** The current join rule; a room without m.room.join_rules is treated as `invite`, as Synapse does. */
function joinRuleOf(state: StateLookup): unknown {
  const joinRules = state('m.room.join_rules', '');
  return joinRules ? joinRules.content['join_rule'] : 'invite';
}

/** Join rules under which an invited (or joined) user may join: `invite`, and `knock` from v7. */
function inviteLikeJoinRule(rules: AuthRules, joinRule: unknown): boolean {
  return joinRule === 'invite' || (rules.knocking && joinRule === 'knock');
}

/** `restricted` from v8, `knock_restricted` from v10. */
function restrictedJoinRule(rules: AuthRules, joinRule: unknown): boolean {
  return (
    (rules.restrictedJoinRule && joinRule === 'restricted') ||
    (rules.knockRestrictedJoinRule && joinRule === 'knock_restricted')
  );
}

/** Join rules that accept a knock: `knock` from v7, `knock_restricted` from v10. */
function knockableJoinRule(rules: AuthRules, joinRule: unknown): boolean {
  return joinRule === 'knock' || (rules.knockRestrictedJoinRule && joinRule === 'knock_restricted');
}

/** Rule 5: "If type is m.room.member". */
export function checkMembership(
  rules: AuthRules,
  event: AuthEvent,
  state: StateLookup,
  pl: PowerLevelsView,
  ctx: AuthContext,
): AuthOutcome {
  const membership = event.content['membership'];
  const target = event.stateKey;
  // 5.1. If there is no state_key property, or no membership property in content, reject.
  if (target === undefined || membership === undefined) {
    return reject('m.room.member: there is no state_key property, or no membership property in content');
  }
  // 5.2. (v8+) If content has a join_authorised_via_users_server key: if the event is not
  // validly signed by the homeserver of the user ID denoted by the key, reject.
  // (Signatures are checked on receipt of the PDU; `isSignedBy` lets the caller say so here.)
  if (rules.restrictedJoinRule && Object.hasOwn(event.content, 'join_authorised_via_users_server')) {
    const authoriser = event.content['join_authorised_via_users_server'];
    const server = typeof authoriser === 'string' ? domainOf(authoriser) : undefined;
    if (server === undefined || (ctx.isSignedBy && !ctx.isSignedBy(event, server))) {
      return reject(
        'm.room.member: the event is not validly signed by the homeserver of join_authorised_via_users_server',
      );
    }
  }
  const sender = event.sender;
  const senderMembership = membershipOf(state, sender);
  const targetMembership = target === sender ? senderMembership : membershipOf(state, target);

  switch (membership) {
    case 'join':
      return checkJoin(rules, event, target, senderMembership, state, pl);
    case 'invite': {
      // 5.4.1. If content has a third_party_invite property: ...
      if (Object.hasOwn(event.content, 'third_party_invite')) {
        return checkThirdPartyInvite(event, targetMembership, state, ctx);
      }
      // 5.4.2. If the sender's current membership state is not join, reject.
      if (senderMembership !== 'join') return reject("invite: the sender's current membership state is not join");
      // 5.4.3. If target user's current membership state is join or ban, reject.
      if (targetMembership === 'join' || targetMembership === 'ban') {
        return reject("invite: the target user's current membership state is join or ban");
      }
      // 5.4.4. If the sender's power level is greater than or equal to the invite level, allow.
      if (pl.userLevel(sender) >= pl.level('invite')) return ALLOW;
      // 5.4.5. Otherwise, reject.
      return reject("invite: the sender's power level is less than the invite level");
    }
    case 'leave': {
      // 5.5.1. If the sender matches state_key, allow if and only if that user's current
      // membership state is invite, join, or knock (v7+).
      if (sender === target) {
        if (
          senderMembership === 'invite' ||
          senderMembership === 'join' ||
          (rules.knocking && senderMembership === 'knock')
        ) {
          return ALLOW;
        }
        return reject(`leave: the user's current membership state is ${senderMembership ?? 'none'}`);
      }
      // 5.5.2. If the sender's current membership state is not join, reject.
      if (senderMembership !== 'join') return reject("leave: the sender's current membership state is not join");
      const senderLevel = pl.userLevel(sender);
      // 5.5.3. If the target user's current membership state is ban, and the sender's power
      // level is less than the ban level, reject.
      if (targetMembership === 'ban' && senderLevel < pl.level('ban')) {
        return reject("leave: the target user is banned and the sender's power level is less than the ban level");
      }
      // 5.5.4. If the sender's power level is greater than or equal to the kick level, and
      // the target user's power level is less than the sender's power level, allow.
      if (senderLevel >= pl.level('kick') && pl.userLevel(target) < senderLevel) return ALLOW;
      // 5.5.5. Otherwise, reject.
      return reject("leave: the sender's power level is below the kick level or not above the target's");
    }
    case 'ban': {
      // 5.6.1. If the sender's current membership state is not join, reject.
      if (senderMembership !== 'join') return reject("ban: the sender's current membership state is not join");
      // 5.6.2. If the sender's power level is greater than or equal to the ban level, and the
      // target user's power level is less than the sender's power level, allow.
      const senderLevel = pl.userLevel(sender);
      if (senderLevel >= pl.level('ban') && pl.userLevel(target) < senderLevel) return ALLOW;
      // 5.6.3. Otherwise, reject.
      return reject("ban: the sender's power level is below the ban level or not above the target's");
    }
    case 'knock': {
      // 5.7. (v7+) If membership is knock:
      if (!rules.knocking) break;
      // 5.7.1. If the join_rule is anything other than knock (or knock_restricted, v10+), reject.
      if (!knockableJoinRule(rules, joinRuleOf(state))) {
        return reject('knock: the join_rule is not one that allows knocking');
      }
      // 5.7.2. If sender does not match state_key, reject.
      if (sender !== target) return reject('knock: sender does not match state_key');
      // 5.7.3. If the sender's current membership is not ban, invite, or join, allow.
      if (senderMembership !== 'ban' && senderMembership !== 'invite' && senderMembership !== 'join') return ALLOW;
      // 5.7.4. Otherwise, reject.
      return reject(`knock: the sender's current membership is ${senderMembership}`);
    }
  }
  // 5.8. Otherwise, the membership is unknown. Reject.
  return reject(`m.room.member: the membership ${JSON.stringify(membership)} is unknown`);
}

/** Rule 5.3: "If membership is join". */
function checkJoin(
  rules: AuthRules,
  event: AuthEvent,
  target: string,
  senderMembership: string | undefined,
  state: StateLookup,
  pl: PowerLevelsView,
): AuthOutcome {
  // 5.3.1. If the only previous event is an m.room.create and the state_key is the creator
  // (v11+: the sender of the m.room.create), allow.
  const create = state('m.room.create', '');
  if (
    create &&
    event.prevEvents.length === 1 &&
    event.prevEvents[0] === create.eventId &&
    target === creatorOf(rules, create)
  ) {
    return ALLOW;
  }
  // 5.3.2. If the sender does not match state_key, reject.
  if (event.sender !== target) return reject('join: the sender does not match state_key');
  // 5.3.3. If the sender is banned, reject.
  if (senderMembership === 'ban') return reject('join: the sender is banned');
  const joinRule = joinRuleOf(state);
  // 5.3.4. If the join_rule is invite (or knock, v7+) then allow if membership state is
  // invite or join.
  if (inviteLikeJoinRule(rules, joinRule)) {
    if (senderMembership === 'invite' || senderMembership === 'join') return ALLOW;
    return reject(`join: the join_rule is ${String(joinRule)} and the user is not invited`);
  }
  // 5.3.5. (v8+) If the join_rule is restricted (or knock_restricted, v10+):
  if (restrictedJoinRule(rules, joinRule)) {
    // 5.3.5.1. If membership state is join or invite, allow.
    if (senderMembership === 'join' || senderMembership === 'invite') return ALLOW;
    // 5.3.5.2. If the join_authorised_via_users_server key in content is not a user with
    // sufficient permission to invite other users or is not a joined member of the room, reject.
    const authoriser = event.content['join_authorised_via_users_server'];
    if (typeof authoriser !== 'string' || membershipOf(state, authoriser) !== 'join') {
      return reject('join: join_authorised_via_users_server is not a joined member of the room');
    }
    if (pl.userLevel(authoriser) < pl.level('invite')) {
      return reject('join: join_authorised_via_users_server does not have sufficient permission to invite');
    }
    // 5.3.5.3. Otherwise, allow.
    return ALLOW;
  }
  // 5.3.6. If the join_rule is public, allow.
  if (joinRule === 'public') return ALLOW;
  // 5.3.7. Otherwise, reject.
  return reject(`join: the join_rule ${JSON.stringify(joinRule)} does not allow this join`);
}
