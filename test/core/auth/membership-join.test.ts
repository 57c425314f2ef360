import { describe, expect, it } from 'vitest';
import { checkAuth, V10_AUTH, V12_AUTH } from '../../../src/core/auth/index.js';
import { ALICE, BOB, CAROL, DAVE, ZARA, TestRoom, ev, versions } from './helpers.js';

describe.each(versions(1))('join, room v%s', (_v, rules) => {
  it("allows the creator's join right after the create event", () => {
    const room = new TestRoom(rules);
    const join = ev({
      type: 'm.room.member',
      sender: ALICE,
      stateKey: ALICE,
      roomId: room.roomId,
      prevEvents: [room.create.eventId],
      content: { membership: 'join' },
    });
    // Only the create event is in the state at that point.
    const onlyCreate = (t: string, k: string) => (t === 'm.room.create' && k === '' ? room.create : undefined);
    expect(checkAuth(rules, join, onlyCreate).ok).toBe(true);
  });

  it("rejects a non-creator's join right after the create event", () => {
    const room = new TestRoom(rules);
    const join = ev({
      type: 'm.room.member',
      sender: BOB,
      stateKey: BOB,
      roomId: room.roomId,
      prevEvents: [room.create.eventId],
      content: { membership: 'join' },
    });
    const onlyCreate = (t: string, k: string) => (t === 'm.room.create' && k === '' ? room.create : undefined);
    expect(checkAuth(rules, join, onlyCreate).ok).toBe(false);
  });

  it('rejects an event without membership', () => {
    const room = new TestRoom(rules);
    expect(room.try({ type: 'm.room.member', sender: BOB, stateKey: BOB, content: {} }).ok).toBe(false);
  });

  it('rejects a member event without state_key', () => {
    const room = new TestRoom(rules);
    expect(room.try({ type: 'm.room.member', sender: BOB, content: { membership: 'join' } }).ok).toBe(false);
  });

  it('rejects an unknown membership', () => {
    const room = new TestRoom(rules);
    expect(room.tryMember(BOB, BOB, 'dance')).toMatchObject({ ok: false, reason: expect.stringContaining('unknown') });
  });

  it('allows joining a public room', () => {
    expect(new TestRoom(rules).tryMember(BOB, BOB, 'join').ok).toBe(true);
  });

  it('rejects joining on behalf of someone else', () => {
    expect(new TestRoom(rules).tryMember(ALICE, BOB, 'join').ok).toBe(false);
  });

  it('rejects a banned user joining a public room', () => {
    const room = new TestRoom(rules).member(BOB, 'ban', ALICE);
    expect(room.tryMember(BOB, BOB, 'join')).toMatchObject({ ok: false, reason: expect.stringContaining('banned') });
  });

  it('allows an invited user to join an invite-only room', () => {
    const room = new TestRoom(rules, { joinRule: 'invite' }).member(BOB, 'invite', ALICE);
    expect(room.tryMember(BOB, BOB, 'join').ok).toBe(true);
  });

  it('allows a joined user to re-join an invite-only room', () => {
    const room = new TestRoom(rules, { joinRule: 'invite' }).member(BOB, 'join');
    expect(room.tryMember(BOB, BOB, 'join').ok).toBe(true);
  });

  it('rejects an uninvited user joining an invite-only room', () => {
    expect(new TestRoom(rules, { joinRule: 'invite' }).tryMember(BOB, BOB, 'join').ok).toBe(false);
  });

  it('treats a room without join rules as invite-only', () => {
    const room = new TestRoom(rules, { joinRule: null });
    expect(room.tryMember(BOB, BOB, 'join').ok).toBe(false);
    room.member(BOB, 'invite', ALICE);
    expect(room.tryMember(BOB, BOB, 'join').ok).toBe(true);
  });

  it('rejects joining a private room', () => {
    expect(new TestRoom(rules, { joinRule: 'private' }).tryMember(BOB, BOB, 'join').ok).toBe(false);
  });
});

describe('the creator join rule by version', () => {
  it.each(versions(1, 10))('room v%s reads the creator from content.creator', (_v, rules) => {
    const room = new TestRoom(rules, { createContent: { creator: DAVE } });
    const onlyCreate = (t: string, k: string) => (t === 'm.room.create' && k === '' ? room.create : undefined);
    const join = (user: string) =>
      ev({ type: 'm.room.member', sender: user, stateKey: user, roomId: room.roomId, prevEvents: [room.create.eventId], content: { membership: 'join' } });
    expect(checkAuth(rules, join(DAVE), onlyCreate).ok).toBe(true);
    expect(checkAuth(rules, join(ALICE), onlyCreate).ok).toBe(false);
  });

  it.each(versions(11))('room v%s reads the creator from the create sender', (_v, rules) => {
    const room = new TestRoom(rules, { createContent: { creator: DAVE, additional_creators: [ZARA] } });
    const onlyCreate = (t: string, k: string) => (t === 'm.room.create' && k === '' ? room.create : undefined);
    const join = (user: string) =>
      ev({ type: 'm.room.member', sender: user, stateKey: user, roomId: room.roomId, prevEvents: [room.create.eventId], content: { membership: 'join' } });
    expect(checkAuth(rules, join(ALICE), onlyCreate).ok).toBe(true);
    expect(checkAuth(rules, join(DAVE), onlyCreate).ok).toBe(false);
    // v12: additional creators are not "the sender of the m.room.create".
    expect(checkAuth(rules, join(ZARA), onlyCreate).ok).toBe(false);
  });
});

describe.each(versions(1, 6))('knock join rule before knocking (room v%s)', (_v, rules) => {
  it('rejects an invited user joining under the knock join rule', () => {
    const room = new TestRoom(rules, { joinRule: 'knock' }).member(BOB, 'invite', ALICE);
    expect(room.tryMember(BOB, BOB, 'join').ok).toBe(false);
  });
});

describe.each(versions(7))('knock join rule, room v%s', (_v, rules) => {
  it('allows an invited user to join under the knock join rule', () => {
    const room = new TestRoom(rules, { joinRule: 'knock' }).member(BOB, 'invite', ALICE);
    expect(room.tryMember(BOB, BOB, 'join').ok).toBe(true);
  });

  it('rejects a knocking user joining without an invite', () => {
    const room = new TestRoom(rules, { joinRule: 'knock' }).member(BOB, 'knock');
    expect(room.tryMember(BOB, BOB, 'join').ok).toBe(false);
  });
});

describe.each(versions(1, 7))('restricted join rule before v8 (room v%s)', (_v, rules) => {
  it('rejects a join authorised via a joined user, as restricted is unknown', () => {
    const room = new TestRoom(rules, { joinRule: 'restricted' });
    expect(room.tryMember(BOB, BOB, 'join', { join_authorised_via_users_server: ALICE }).ok).toBe(false);
  });
});

describe.each([...versions(8), ...versions(10).map(([v, r]) => [`${v} knock_restricted`, r] as [string, typeof r])])(
  'restricted join rule, room v%s',
  (v, rules) => {
    const joinRule = v.includes('knock_restricted') ? 'knock_restricted' : 'restricted';
    const room = () => new TestRoom(rules, { joinRule });

    it('allows a join authorised via a joined user who can invite', () => {
      expect(room().tryMember(BOB, BOB, 'join', { join_authorised_via_users_server: ALICE }).ok).toBe(true);
    });

    it('rejects a join without join_authorised_via_users_server', () => {
      expect(room().tryMember(BOB, BOB, 'join').ok).toBe(false);
    });

    it('allows an invited user to join without an authoriser', () => {
      expect(room().member(BOB, 'invite', ALICE).tryMember(BOB, BOB, 'join').ok).toBe(true);
    });

    it('allows a joined user to re-join without an authoriser', () => {
      expect(room().member(BOB, 'join').tryMember(BOB, BOB, 'join').ok).toBe(true);
    });

    it('rejects a join authorised via a user who is not joined', () => {
      const r = room().member(CAROL, 'leave');
      expect(r.tryMember(BOB, BOB, 'join', { join_authorised_via_users_server: CAROL }).ok).toBe(false);
    });

    it('rejects a join authorised via a joined user below the invite level', () => {
      const r = room().member(CAROL, 'join');
      const users = rules.privilegedCreators ? {} : { [ALICE]: 100 };
      r.powerLevels({ users, invite: 50 });
      expect(r.tryMember(BOB, BOB, 'join', { join_authorised_via_users_server: CAROL })).toMatchObject({
        ok: false,
        reason: expect.stringContaining('permission to invite'),
      });
      r.powerLevels({ users: { ...users, [CAROL]: 50 }, invite: 50 });
      expect(r.tryMember(BOB, BOB, 'join', { join_authorised_via_users_server: CAROL }).ok).toBe(true);
    });

    it('rejects a banned user even with an authoriser', () => {
      const r = room().member(BOB, 'ban', ALICE);
      expect(r.tryMember(BOB, BOB, 'join', { join_authorised_via_users_server: ALICE }).ok).toBe(false);
    });

    it('rejects the join when the authorising server did not sign it', () => {
      const ctx = { isSignedBy: (_e: unknown, server: string) => server === 'b.test' };
      expect(room().tryMember(BOB, BOB, 'join', { join_authorised_via_users_server: ALICE }, ctx)).toMatchObject({
        ok: false,
        reason: expect.stringContaining('signed'),
      });
      const signedByA = { isSignedBy: (_e: unknown, server: string) => server === 'a.test' };
      expect(room().tryMember(BOB, BOB, 'join', { join_authorised_via_users_server: ALICE }, signedByA).ok).toBe(true);
    });

    it('rejects a join_authorised_via_users_server that is not a user ID', () => {
      expect(room().tryMember(BOB, BOB, 'join', { join_authorised_via_users_server: 42 }).ok).toBe(false);
    });
  },
);

describe.each(versions(8, 9))('knock_restricted before v10 (room v%s)', (_v, rules) => {
  it('rejects a join authorised via a joined user, as knock_restricted is unknown', () => {
    const room = new TestRoom(rules, { joinRule: 'knock_restricted' });
    expect(room.tryMember(BOB, BOB, 'join', { join_authorised_via_users_server: ALICE }).ok).toBe(false);
  });
});

describe('restricted joins with creators', () => {
  it('allows a v12 additional creator to authorise a restricted join', () => {
    const room = new TestRoom(V12_AUTH, { joinRule: 'restricted', createContent: { additional_creators: [ZARA] } });
    room.member(ZARA, 'join');
    room.powerLevels({ invite: 1000 });
    expect(room.tryMember(BOB, BOB, 'join', { join_authorised_via_users_server: ZARA }).ok).toBe(true);
    expect(room.tryMember(BOB, BOB, 'join', { join_authorised_via_users_server: DAVE }).ok).toBe(false);
  });

  it('allows a v10 join authorised with a knock_restricted rule', () => {
    const room = new TestRoom(V10_AUTH, { joinRule: 'knock_restricted' });
    expect(room.tryMember(BOB, BOB, 'join', { join_authorised_via_users_server: ALICE }).ok).toBe(true);
  });
});
