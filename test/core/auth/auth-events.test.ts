// Auth events selection (server-server API) and "Considering the event's auth_events".
import { describe, expect, it } from 'vitest';
import { authTypesForEvent, checkAuthEventsShape, V7_AUTH, V8_AUTH, V11_AUTH, V12_AUTH } from '../../../src/core/auth/index.js';
import { ALICE, BOB, CAROL, TestRoom, versions } from './helpers.js';

const member = (membership: string, extra: Record<string, unknown> = {}, stateKey = BOB, sender = BOB) => ({
  type: 'm.room.member',
  sender,
  stateKey,
  content: { membership, ...extra },
});

describe('authTypesForEvent', () => {
  it('selects nothing for m.room.create', () => {
    expect(authTypesForEvent(V11_AUTH, { type: 'm.room.create', sender: ALICE, stateKey: '', content: {} })).toEqual([]);
  });

  it.each(versions(1, 11))('selects create, power levels and the sender for a message in room v%s', (_v, rules) => {
    expect(authTypesForEvent(rules, { type: 'm.room.message', sender: BOB, stateKey: undefined, content: {} })).toEqual([
      ['m.room.create', ''],
      ['m.room.power_levels', ''],
      ['m.room.member', BOB],
    ]);
  });

  it('never selects m.room.create in room v12', () => {
    expect(authTypesForEvent(V12_AUTH, { type: 'm.room.message', sender: BOB, stateKey: undefined, content: {} })).toEqual([
      ['m.room.power_levels', ''],
      ['m.room.member', BOB],
    ]);
    expect(authTypesForEvent(V12_AUTH, member('join')).some(([t]) => t === 'm.room.create')).toBe(false);
  });

  it.each(['join', 'invite', 'knock'])('selects the join rules for a %s', (membership) => {
    expect(authTypesForEvent(V11_AUTH, member(membership))).toContainEqual(['m.room.join_rules', '']);
  });

  it.each(['leave', 'ban'])('does not select the join rules for a %s', (membership) => {
    expect(authTypesForEvent(V11_AUTH, member(membership, {}, BOB, ALICE))).not.toContainEqual(['m.room.join_rules', '']);
  });

  it('selects the target member event once when the target is the sender', () => {
    expect(authTypesForEvent(V11_AUTH, member('join'))).toEqual([
      ['m.room.create', ''],
      ['m.room.power_levels', ''],
      ['m.room.member', BOB],
      ['m.room.join_rules', ''],
    ]);
  });

  it('selects both sender and target for an invite', () => {
    const types = authTypesForEvent(V11_AUTH, member('invite', {}, BOB, ALICE));
    expect(types).toContainEqual(['m.room.member', ALICE]);
    expect(types).toContainEqual(['m.room.member', BOB]);
  });

  it('selects the third-party invite by token', () => {
    const tpi = { third_party_invite: { signed: { mxid: BOB, token: 'tok' } } };
    expect(authTypesForEvent(V11_AUTH, member('invite', tpi, BOB, ALICE))).toContainEqual(['m.room.third_party_invite', 'tok']);
    expect(authTypesForEvent(V11_AUTH, member('join', tpi))).not.toContainEqual(['m.room.third_party_invite', 'tok']);
    const noToken = { third_party_invite: { signed: {} } };
    expect(authTypesForEvent(V11_AUTH, member('invite', noToken, BOB, ALICE)).some(([t]) => t === 'm.room.third_party_invite')).toBe(false);
  });

  it('selects the authorising user from room v8', () => {
    const via = { join_authorised_via_users_server: CAROL };
    expect(authTypesForEvent(V8_AUTH, member('join', via))).toContainEqual(['m.room.member', CAROL]);
    expect(authTypesForEvent(V7_AUTH, member('join', via))).not.toContainEqual(['m.room.member', CAROL]);
    expect(authTypesForEvent(V8_AUTH, member('leave', via))).not.toContainEqual(['m.room.member', CAROL]);
  });
});

describe.each(versions(1, 11))('checkAuthEventsShape, room v%s', (_v, rules) => {
  const setup = () => {
    const room = new TestRoom(rules).member(BOB, 'join');
    const message = room.event({ type: 'm.room.message', sender: BOB, content: {} });
    const auth = [room.get('m.room.create', '')!, room.get('m.room.power_levels', '')!, room.get('m.room.member', BOB)!];
    return { room, message, auth };
  };

  it('allows the selected auth events', () => {
    const { message, auth } = setup();
    expect(checkAuthEventsShape(rules, message, auth)).toEqual({ ok: true });
  });

  it('allows a subset that still has the create event', () => {
    const { message, auth } = setup();
    expect(checkAuthEventsShape(rules, message, [auth[0]!]).ok).toBe(true);
  });

  it('rejects duplicate entries for a type and state_key', () => {
    const { room, message, auth } = setup();
    const second = room.event({ type: 'm.room.power_levels', sender: ALICE, stateKey: '', content: {} });
    expect(checkAuthEventsShape(rules, message, [...auth, second])).toMatchObject({
      ok: false,
      reason: expect.stringContaining('duplicate'),
    });
  });

  it('rejects entries the selection does not pick', () => {
    const { room, message, auth } = setup();
    expect(checkAuthEventsShape(rules, message, [...auth, room.get('m.room.join_rules', '')!])).toMatchObject({
      ok: false,
      reason: expect.stringContaining('auth events selection'),
    });
    expect(checkAuthEventsShape(rules, message, [...auth.slice(0, 2), room.get('m.room.member', ALICE)!]).ok).toBe(false);
  });

  it('rejects a non-state entry', () => {
    const { room, message, auth } = setup();
    const msg = room.event({ type: 'm.room.message', sender: BOB, content: {} });
    expect(checkAuthEventsShape(rules, message, [...auth, msg]).ok).toBe(false);
  });

  it('rejects auth events without the create event', () => {
    const { message, auth } = setup();
    expect(checkAuthEventsShape(rules, message, auth.slice(1))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('m.room.create'),
    });
  });

  it('rejects an entry from another room', () => {
    const { room, message, auth } = setup();
    const foreign = { ...room.get('m.room.power_levels', '')!, roomId: '!elsewhere:a.test' };
    expect(checkAuthEventsShape(rules, message, [auth[0]!, foreign, auth[2]!])).toMatchObject({
      ok: false,
      reason: expect.stringContaining('room_id'),
    });
  });

  it('allows a join with the join rules, the target and the authoriser', () => {
    const room = new TestRoom(rules, { joinRule: 'restricted' });
    const join = room.event(member('join', { join_authorised_via_users_server: ALICE }));
    const auth = [room.get('m.room.create', '')!, room.get('m.room.join_rules', '')!, room.get('m.room.member', ALICE)!];
    expect(checkAuthEventsShape(rules, join, auth).ok).toBe(rules.restrictedJoinRule);
  });

  it('does not consider the auth_events of m.room.create', () => {
    const room = new TestRoom(rules);
    expect(checkAuthEventsShape(rules, room.create, []).ok).toBe(true);
  });
});

describe('checkAuthEventsShape, room v12', () => {
  const rules = V12_AUTH;
  const setup = () => {
    const room = new TestRoom(rules).member(BOB, 'join');
    const message = room.event({ type: 'm.room.message', sender: BOB, content: {} });
    return { room, message, auth: [room.get('m.room.power_levels', '')!, room.get('m.room.member', BOB)!] };
  };

  it('allows auth events without the create event', () => {
    const { message, auth } = setup();
    expect(checkAuthEventsShape(rules, message, auth).ok).toBe(true);
    expect(checkAuthEventsShape(rules, message, []).ok).toBe(true);
  });

  it('rejects auth events that include the create event', () => {
    const { room, message, auth } = setup();
    expect(checkAuthEventsShape(rules, message, [room.create, ...auth])).toMatchObject({
      ok: false,
      reason: expect.stringContaining('m.room.create'),
    });
  });

  it('rejects an entry from another room', () => {
    const { message, auth } = setup();
    expect(checkAuthEventsShape(rules, message, [{ ...auth[0]!, roomId: '!other' }]).ok).toBe(false);
  });
});
