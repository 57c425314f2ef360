import { describe, expect, it } from 'vitest';
import { checkAuth, V11_AUTH, V12_AUTH } from '../../../src/core/auth/index.js';
import { ALICE, BOB, TestRoom, ev, lookupOf, versions } from './helpers.js';

const none = lookupOf([]);

function create(content: Record<string, unknown>, extra: { roomId?: string; prevEvents?: string[]; sender?: string; eventId?: string } = {}) {
  return ev({ type: 'm.room.create', sender: extra.sender ?? ALICE, stateKey: '', content, ...extra });
}

describe.each(versions(1, 11))('m.room.create in room v%s', (v, rules) => {
  const base = rules.useCreateSenderAsCreator ? {} : { creator: ALICE };

  it('allows a create event from the room_id domain', () => {
    expect(checkAuth(rules, create({ ...base, room_version: v }), none)).toEqual({ ok: true });
  });

  it('rejects a create event with prev_events', () => {
    const outcome = checkAuth(rules, create(base, { prevEvents: ['$x:a.test'] }), none);
    expect(outcome).toMatchObject({ ok: false, reason: expect.stringContaining('prev_events') });
  });

  it('rejects a create event whose room_id domain differs from the sender domain', () => {
    expect(checkAuth(rules, create(base, { sender: BOB }), none).ok).toBe(false);
  });

  it('rejects a create event whose room_id has no domain', () => {
    expect(checkAuth(rules, create(base, { roomId: '!opaque' }), none).ok).toBe(false);
  });

  it('rejects an unrecognised content.room_version', () => {
    expect(checkAuth(rules, create({ ...base, room_version: '99' }), none).ok).toBe(false);
    expect(checkAuth(rules, create({ ...base, room_version: 1 }), none).ok).toBe(false);
  });

  it('allows a create event without room_version', () => {
    expect(checkAuth(rules, create(base), none).ok).toBe(true);
  });

  it('accepts a room version recognised by the injected registry', () => {
    const ctx = { isKnownRoomVersion: (x: string) => x === 'org.example.custom' };
    expect(checkAuth(rules, create({ ...base, room_version: 'org.example.custom' }), none, ctx).ok).toBe(true);
    expect(checkAuth(rules, create({ ...base, room_version: '1' }), none, ctx).ok).toBe(false);
  });
});

describe.each(versions(1, 10))('content.creator in room v%s', (_v, rules) => {
  it('rejects a create event without content.creator', () => {
    const outcome = checkAuth(rules, create({}), none);
    expect(outcome).toMatchObject({ ok: false, reason: expect.stringContaining('creator') });
  });
});

describe('content.creator from room v11', () => {
  it('allows a create event without content.creator', () => {
    expect(checkAuth(V11_AUTH, create({}), none).ok).toBe(true);
    expect(checkAuth(V12_AUTH, create({}, { roomId: '' }), none).ok).toBe(true);
  });
});

describe('m.room.create in room v12', () => {
  const rules = V12_AUTH;

  it('allows a create event without room_id', () => {
    expect(checkAuth(rules, create({ room_version: '12' }, { roomId: '', eventId: '$abc' }), none).ok).toBe(true);
  });

  it('allows a create event whose normalised room_id is the one derived from its event ID', () => {
    expect(checkAuth(rules, create({}, { roomId: '!abc', eventId: '$abc' }), none).ok).toBe(true);
  });

  it('rejects a create event that has a room_id', () => {
    const outcome = checkAuth(rules, create({}, { roomId: '!room:a.test', eventId: '$abc' }), none);
    expect(outcome).toMatchObject({ ok: false, reason: expect.stringContaining('room_id') });
  });

  it('does not require the room_id domain to match the sender', () => {
    expect(checkAuth(rules, create({}, { roomId: '', sender: BOB }), none).ok).toBe(true);
  });

  it('rejects prev_events', () => {
    expect(checkAuth(rules, create({}, { roomId: '', prevEvents: ['$x'] }), none).ok).toBe(false);
  });

  it.each([
    [[BOB], true],
    [[], true],
    [['@historical LOCALPART!:b.test'], true],
    [['@bob:b.test:8448', '@c:[::1]:80'], true],
    ['@bob:b.test', false],
    [[BOB, 5], false],
    [['bob:b.test'], false],
    [['@bob'], false],
    [['@bob:bad_server!'], false],
    [[`@${'x'.repeat(260)}:b.test`], false],
    [null, false],
  ])('additional_creators %j is allowed: %s', (additional, allowed) => {
    const outcome = checkAuth(rules, create({ additional_creators: additional }, { roomId: '' }), none);
    expect(outcome.ok).toBe(allowed);
  });

  it('ignores additional_creators before v12', () => {
    expect(checkAuth(V11_AUTH, create({ additional_creators: 'nonsense' }), none).ok).toBe(true);
  });
});

describe('room v12 room_id rule', () => {
  it("allows an event whose room_id is the create event's ID with sigil !", () => {
    const room = new TestRoom(V12_AUTH);
    expect(room.try({ type: 'm.room.message', sender: ALICE, content: { body: 'hi' } }).ok).toBe(true);
  });

  it("rejects an event whose room_id is not the create event's ID", () => {
    const room = new TestRoom(V12_AUTH);
    const outcome = room.try({ type: 'm.room.message', sender: ALICE, roomId: '!other', content: {} });
    expect(outcome).toMatchObject({ ok: false, reason: expect.stringContaining('room_id') });
  });

  it('rejects an event when the lookup has no create event', () => {
    const room = new TestRoom(V12_AUTH);
    const e = room.event({ type: 'm.room.message', sender: ALICE, content: {} });
    const withoutCreate = (t: string, k: string) => (t === 'm.room.create' ? undefined : room.get(t, k));
    expect(checkAuth(V12_AUTH, e, withoutCreate).ok).toBe(false);
  });
});

describe.each(versions(1, 11))('the create event in the auth state, room v%s', (_v, rules) => {
  it('rejects an event when there is no m.room.create event', () => {
    const room = new TestRoom(rules);
    const e = room.event({ type: 'm.room.message', sender: ALICE, content: {} });
    const withoutCreate = (t: string, k: string) => (t === 'm.room.create' ? undefined : room.get(t, k));
    expect(checkAuth(rules, e, withoutCreate)).toMatchObject({ ok: false, reason: expect.stringContaining('m.room.create') });
  });

  it("rejects an event whose room_id differs from the create event's", () => {
    const room = new TestRoom(rules);
    expect(room.try({ type: 'm.room.message', sender: ALICE, roomId: '!other:a.test', content: {} }).ok).toBe(false);
  });
});

describe.each(versions(1))('m.federate, room v%s', (_v, rules) => {
  it('rejects events from other servers when m.federate is false', () => {
    const room = new TestRoom(rules, { createContent: { 'm.federate': false } });
    expect(room.tryMember(BOB, BOB, 'join')).toMatchObject({ ok: false, reason: expect.stringContaining('m.federate') });
  });

  it("allows events from the create event's server when m.federate is false", () => {
    const room = new TestRoom(rules, { createContent: { 'm.federate': false } });
    expect(room.tryMember('@dave:a.test', '@dave:a.test', 'join').ok).toBe(true);
  });

  it('allows events from other servers when m.federate is true or absent', () => {
    expect(new TestRoom(rules, { createContent: { 'm.federate': true } }).tryMember(BOB, BOB, 'join').ok).toBe(true);
    expect(new TestRoom(rules).tryMember(BOB, BOB, 'join').ok).toBe(true);
  });
});
