// The m.room.power_levels rule: content validation per version, and which changes the
// sender may make (rule 10 in v12 numbering).
import { describe, expect, it } from 'vitest';
import type { AuthRules } from '../../../src/core/auth/index.js';
import { V12_AUTH } from '../../../src/core/auth/index.js';
import { ALICE, BOB, CAROL, DAVE, ZARA, TestRoom, versions } from './helpers.js';

/** ALICE 100 (a creator in v12), CAROL 50, DAVE 50, BOB 0; all joined. */
function room(rules: AuthRules, extra: Record<string, unknown> = {}) {
  return new TestRoom(rules, { powerLevels: { users: users(rules), ...extra } })
    .member(BOB, 'join')
    .member(CAROL, 'join')
    .member(DAVE, 'join');
}
function users(rules: AuthRules, extra: Record<string, unknown> = {}) {
  return { ...(rules.privilegedCreators ? {} : { [ALICE]: 100 }), [CAROL]: 50, [DAVE]: 50, ...extra };
}
const send = (r: TestRoom, sender: string, content: Record<string, unknown>) =>
  r.try({ type: 'm.room.power_levels', sender, stateKey: '', content });

describe.each(versions(1))('power levels changes, room v%s', (_v, rules) => {
  // CAROL (50) may edit power levels when the event level is 50.
  const modRoom = (extra: Record<string, unknown> = {}) =>
    room(rules, { events: { 'm.room.power_levels': 50 }, ...extra });
  const base = (extra: Record<string, unknown> = {}) => ({ users: users(rules), events: { 'm.room.power_levels': 50 }, ...extra });

  it('allows a sender at the event level to send unchanged power levels', () => {
    expect(send(modRoom(), CAROL, base()).ok).toBe(true);
  });

  it('rejects power levels from a sender below the event level', () => {
    expect(send(room(rules, { events: { 'm.room.power_levels': 100 } }), CAROL, base()).ok).toBe(false);
  });

  it('allows raising a named level up to the sender level', () => {
    expect(send(modRoom(), CAROL, base({ invite: 50 })).ok).toBe(true);
  });

  it('rejects setting a named level above the sender level', () => {
    expect(send(modRoom(), CAROL, base({ ban: 51 }))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('new value of ban'),
    });
  });

  it('rejects changing a named level that is currently above the sender level', () => {
    expect(send(modRoom({ kick: 60 }), CAROL, base({ kick: 10 }))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('current value of kick'),
    });
  });

  it('rejects removing a named level that is currently above the sender level', () => {
    expect(send(modRoom({ kick: 60 }), CAROL, base()).ok).toBe(false);
  });

  it('allows keeping a named level that is above the sender level', () => {
    expect(send(modRoom({ kick: 60 }), CAROL, base({ kick: 60 })).ok).toBe(true);
  });

  it('allows adding an events entry up to the sender level', () => {
    expect(send(modRoom(), CAROL, base({ events: { 'm.room.power_levels': 50, 'm.room.name': 50 } })).ok).toBe(true);
  });

  it('rejects adding an events entry above the sender level', () => {
    expect(send(modRoom(), CAROL, base({ events: { 'm.room.power_levels': 50, 'm.room.name': 51 } })).ok).toBe(false);
  });

  it('rejects changing an events entry currently above the sender level', () => {
    const r = modRoom({ events: { 'm.room.power_levels': 50, 'm.room.name': 60 } });
    expect(send(r, CAROL, base({ events: { 'm.room.power_levels': 50, 'm.room.name': 0 } })).ok).toBe(false);
  });

  it('rejects removing an events entry currently above the sender level', () => {
    const r = modRoom({ events: { 'm.room.power_levels': 50, 'm.room.name': 60 } });
    expect(send(r, CAROL, base()).ok).toBe(false);
  });

  it('allows promoting a user up to the sender level', () => {
    expect(send(modRoom(), CAROL, base({ users: users(rules, { [BOB]: 50 }) })).ok).toBe(true);
  });

  it('rejects promoting a user above the sender level', () => {
    expect(send(modRoom(), CAROL, base({ users: users(rules, { [BOB]: 51 }) }))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('new level'),
    });
  });

  it('rejects demoting a user of equal level', () => {
    expect(send(modRoom(), CAROL, base({ users: users(rules, { [DAVE]: 0 }) }))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('current level'),
    });
  });

  it('rejects removing a user of equal level', () => {
    const { [DAVE]: _d, ...rest } = users(rules);
    expect(send(modRoom(), CAROL, base({ users: rest })).ok).toBe(false);
  });

  it('allows demoting oneself', () => {
    expect(send(modRoom(), CAROL, base({ users: users(rules, { [CAROL]: 10 }) })).ok).toBe(true);
  });

  it('rejects raising oneself above one’s own level', () => {
    expect(send(modRoom(), CAROL, base({ users: users(rules, { [CAROL]: 60 }) })).ok).toBe(false);
  });

  it('allows demoting a lower user', () => {
    const r = modRoom({ users: users(rules, { [BOB]: 10 }) });
    expect(send(r, CAROL, base({ users: users(rules, { [BOB]: 0 }) })).ok).toBe(true);
  });

  it('allows any change to a first power levels event from a joined sender at the event level', () => {
    // "If there is no previous m.room.power_levels event in the room, allow."
    const r = new TestRoom(rules, { powerLevels: null });
    expect(send(r, ALICE, { users: users(rules, { [BOB]: 1_000_000 }), ban: 9999 }).ok).toBe(true);
  });

  it('rejects a users key that is not a user ID', () => {
    expect(send(modRoom(), CAROL, base({ users: { ...users(rules), 'not-a-user': 0 } }))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('valid user ID'),
    });
  });

  it('rejects a users key that is not a user ID even in the first power levels', () => {
    expect(send(new TestRoom(rules, { powerLevels: null }), ALICE, { users: { '@nodomain': 1 } }).ok).toBe(false);
  });

  it('rejects users that is not an object', () => {
    expect(send(modRoom(), CAROL, base({ users: [] })).ok).toBe(false);
  });

  it('rejects a non-integer users value', () => {
    expect(send(modRoom(), CAROL, base({ users: users(rules, { [BOB]: 'fifty' }) })).ok).toBe(false);
    expect(send(modRoom(), CAROL, base({ users: users(rules, { [BOB]: null }) })).ok).toBe(false);
  });
});

describe.each(versions(1, 9))('string power levels accepted, room v%s', (_v, rules) => {
  it('allows integer strings in power levels', () => {
    const r = room(rules);
    const content = { users: { ...users(rules), [BOB]: '10' }, ban: ' 50 ', events: { 'm.room.name': '+50' }, state_default: '050' };
    expect(send(r, ALICE, content).ok).toBe(true);
  });

  it('compares string and integer values numerically', () => {
    // "50" → 50 is no change, so CAROL may keep a kick level at her own.
    const r = room(rules, { kick: '50', events: { 'm.room.power_levels': 50 } });
    expect(send(r, CAROL, { users: users(rules), kick: 50, events: { 'm.room.power_levels': '50' } }).ok).toBe(true);
  });

  it('reads string user levels for the sender', () => {
    const r = new TestRoom(rules, { powerLevels: { users: { ...users(rules), [BOB]: '60' } } }).member(BOB, 'join');
    expect(r.try({ type: 'm.room.topic', sender: BOB, stateKey: '', content: {} }).ok).toBe(true);
  });

  it('rejects a change when a compared value is not an integer string', () => {
    const r = room(rules);
    expect(send(r, ALICE, { users: users(rules), ban: 'fifty' }).ok).toBe(false);
    expect(send(r, ALICE, { users: users(rules), events: { 'm.room.name': '5.5' } }).ok).toBe(false);
  });
});

describe.each(versions(10))('integer-only power levels, room v%s', (_v, rules) => {
  it.each(['users_default', 'events_default', 'state_default', 'ban', 'redact', 'kick', 'invite'])(
    'rejects a string %s',
    (name) => {
      expect(send(room(rules), ALICE, { users: users(rules), [name]: '50' })).toMatchObject({
        ok: false,
        reason: expect.stringContaining(`${name} is present and not an integer`),
      });
    },
  );

  it.each(['events', 'notifications'])('rejects a string value in %s', (name) => {
    expect(send(room(rules), ALICE, { users: users(rules), [name]: { x: '50' } }).ok).toBe(false);
  });

  it.each(['events', 'notifications'])('rejects %s that is not an object', (name) => {
    expect(send(room(rules), ALICE, { users: users(rules), [name]: [50] }).ok).toBe(false);
  });

  it('rejects a string users value', () => {
    expect(send(room(rules), ALICE, { users: users(rules, { [BOB]: '10' }) }).ok).toBe(false);
  });

  it('rejects a float value', () => {
    expect(send(room(rules), ALICE, { users: users(rules), ban: 50.5 }).ok).toBe(false);
  });

  it('rejects string levels even in the first power levels', () => {
    expect(send(new TestRoom(rules, { powerLevels: null }), ALICE, { users: users(rules), ban: '50' }).ok).toBe(false);
  });

  it('allows integer values', () => {
    const content = { users: users(rules, { [BOB]: 10 }), ban: 50, events: { 'm.room.name': 50 }, notifications: { room: 50 } };
    expect(send(room(rules), ALICE, content).ok).toBe(true);
  });
});

describe.each(versions(1, 5))('float power levels, room v%s', (_v, rules) => {
  it('allows float levels, truncated', () => {
    expect(send(room(rules), ALICE, { users: users(rules, { [BOB]: 50.57 }) }).ok).toBe(true);
    // 50.57 reads as 50, equal to CAROL's level, so CAROL may not then demote BOB.
    const r = room(rules, { users: users(rules, { [BOB]: 50.57 }), events: { 'm.room.power_levels': 50 } });
    expect(send(r, CAROL, { users: users(rules, { [BOB]: 0 }), events: { 'm.room.power_levels': 50 } }).ok).toBe(false);
  });
});

describe.each(versions(6, 9))('float power levels refused, room v%s', (_v, rules) => {
  it('rejects a float users value', () => {
    expect(send(room(rules), ALICE, { users: users(rules, { [BOB]: 50.5 }) }).ok).toBe(false);
  });
});

describe.each(versions(1, 5))('notifications ignored before room v6 (v%s)', (_v, rules) => {
  it('allows changing notifications above the sender level', () => {
    const r = room(rules, { events: { 'm.room.power_levels': 50 }, notifications: { room: 100 } });
    expect(send(r, CAROL, { users: users(rules), events: { 'm.room.power_levels': 50 }, notifications: { room: 0 } }).ok).toBe(true);
    expect(send(r, CAROL, { users: users(rules), events: { 'm.room.power_levels': 50 }, notifications: { room: 100, x: 99 } }).ok).toBe(true);
  });
});

describe.each(versions(6))('notifications limited from room v6 (v%s)', (_v, rules) => {
  const base = { events: { 'm.room.power_levels': 50 } };
  it('rejects changing a notifications entry currently above the sender level', () => {
    const r = room(rules, { ...base, notifications: { room: 100 } });
    expect(send(r, CAROL, { users: users(rules), ...base, notifications: { room: 0 } })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('notifications.room'),
    });
  });

  it('rejects adding a notifications entry above the sender level', () => {
    const r = room(rules, base);
    expect(send(r, CAROL, { users: users(rules), ...base, notifications: { room: 51 } }).ok).toBe(false);
  });

  it('allows notifications changes within the sender level', () => {
    const r = room(rules, { ...base, notifications: { room: 50 } });
    expect(send(r, CAROL, { users: users(rules), ...base, notifications: { room: 20 } }).ok).toBe(true);
  });
});

describe('room v12 creators and power levels', () => {
  const rules = V12_AUTH;
  const v12room = () =>
    new TestRoom(rules, { createContent: { additional_creators: [ZARA] }, powerLevels: { users: { [CAROL]: 100 } } })
      .member(ZARA, 'join')
      .member(CAROL, 'join');

  it('rejects power levels that list the create sender in users', () => {
    expect(send(v12room(), ALICE, { users: { [ALICE]: 100 } })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('creator'),
    });
  });

  it('rejects power levels that list an additional creator in users', () => {
    expect(send(v12room(), ALICE, { users: { [ZARA]: 0 } }).ok).toBe(false);
  });

  it('rejects creators in the first power levels', () => {
    const r = new TestRoom(rules, { powerLevels: null });
    expect(send(r, ALICE, { users: { [ALICE]: 100 } }).ok).toBe(false);
    expect(send(r, ALICE, { users: { [BOB]: 100 } }).ok).toBe(true);
  });

  it('lets a creator change any level, as their power is infinite', () => {
    expect(send(v12room(), ZARA, { users: { [CAROL]: 0 }, ban: 1_000_000 }).ok).toBe(true);
  });

  it('lets a creator kick and ban anyone with a finite level', () => {
    const r = v12room();
    expect(r.tryMember(ZARA, CAROL, 'ban').ok).toBe(true);
    expect(r.tryMember(ALICE, CAROL, 'leave').ok).toBe(true);
  });

  it('rejects a creator kicking or banning another creator', () => {
    const r = v12room();
    expect(r.tryMember(ZARA, ALICE, 'ban').ok).toBe(false);
    expect(r.tryMember(ALICE, ZARA, 'leave').ok).toBe(false);
  });

  it('rejects a user at 100 banning a creator', () => {
    expect(v12room().tryMember(CAROL, ALICE, 'ban').ok).toBe(false);
  });

  it('rejects a non-creator at 100 setting a level above 100', () => {
    expect(send(v12room(), CAROL, { users: { [CAROL]: 100, [BOB]: 101 } }).ok).toBe(false);
  });

  it('gives additional creators no power before v12', () => {
    const r = new TestRoom(versions(11)[0]![1], { createContent: { additional_creators: [ZARA] } }).member(ZARA, 'join');
    expect(r.try({ type: 'm.room.topic', sender: ZARA, stateKey: '', content: {} }).ok).toBe(false);
  });
});
