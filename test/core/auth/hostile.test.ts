// Federated events are hostile input: the rules answer with an outcome, never a throw.
import { describe, expect, it } from 'vitest';
import { checkAuth, checkAuthEventsShape } from '../../../src/core/auth/index.js';
import { ALICE, BOB, TestRoom, versions } from './helpers.js';

const WEIRD: unknown[] = [null, true, 0, -1, 1.5, '', 'x', '50', [], [null], {}, { a: { b: [] } }, Object.create(null)];

describe.each(versions(1))('hostile content, room v%s', (_v, rules) => {
  it('answers every malformed member, power levels and create content without throwing', () => {
    const room = new TestRoom(rules).member(BOB, 'join');
    const keys = [
      'membership',
      'third_party_invite',
      'join_authorised_via_users_server',
      'users',
      'events',
      'notifications',
      'ban',
      'users_default',
      'additional_creators',
      'room_version',
      'creator',
    ];
    for (const key of keys) {
      for (const value of WEIRD) {
        for (const type of ['m.room.member', 'm.room.power_levels', 'm.room.create', 'm.room.third_party_invite']) {
          const content = { membership: 'invite', [key]: value };
          const e = room.event({ type, sender: ALICE, stateKey: type === 'm.room.member' ? BOB : '', content });
          expect(() => checkAuth(rules, e, room.lookup, { verifyEd25519: () => true })).not.toThrow();
          expect(() => checkAuthEventsShape(rules, e, [room.create])).not.toThrow();
        }
      }
    }
  });

  it('answers against malformed state without throwing', () => {
    for (const value of WEIRD) {
      const room = new TestRoom(rules, { powerLevels: { users: value, ban: value, events: value } });
      room.put(room.event({ type: 'm.room.join_rules', sender: ALICE, stateKey: '', content: { join_rule: value } }));
      room.put(room.event({ type: 'm.room.member', sender: BOB, stateKey: BOB, content: { membership: value } }));
      for (const membership of ['join', 'invite', 'leave', 'ban', 'knock']) {
        expect(() => room.tryMember(BOB, BOB, membership)).not.toThrow();
        expect(() => room.tryMember(ALICE, BOB, membership)).not.toThrow();
      }
      expect(() => room.try({ type: 'm.room.power_levels', sender: ALICE, stateKey: '', content: { users: {} } })).not.toThrow();
    }
  });
});
