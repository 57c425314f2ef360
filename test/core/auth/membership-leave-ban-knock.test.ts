import { describe, expect, it } from 'vitest';
import type { AuthRules } from '../../../src/core/auth/index.js';
import { ALICE, BOB, CAROL, DAVE, TestRoom, versions } from './helpers.js';

/** A room where CAROL (50) and DAVE (50) are moderators and BOB is a joined member (0). */
function moderated(rules: AuthRules, extra: Record<string, unknown> = {}) {
  const users = { ...(rules.privilegedCreators ? {} : { [ALICE]: 100 }), [CAROL]: 50, [DAVE]: 50 };
  return new TestRoom(rules, { powerLevels: { users, ...extra } })
    .member(BOB, 'join')
    .member(CAROL, 'join')
    .member(DAVE, 'join');
}

describe.each(versions(1))('leave, room v%s', (_v, rules) => {
  it('allows a joined user to leave', () => {
    expect(moderated(rules).tryMember(BOB, BOB, 'leave').ok).toBe(true);
  });

  it('allows an invited user to reject the invite', () => {
    expect(new TestRoom(rules).member(BOB, 'invite', ALICE).tryMember(BOB, BOB, 'leave').ok).toBe(true);
  });

  it('rejects leaving when not in the room', () => {
    expect(new TestRoom(rules).tryMember(BOB, BOB, 'leave').ok).toBe(false);
    expect(new TestRoom(rules).member(BOB, 'leave').tryMember(BOB, BOB, 'leave').ok).toBe(false);
  });

  it('rejects a banned user unbanning themselves', () => {
    expect(new TestRoom(rules).member(BOB, 'ban', ALICE).tryMember(BOB, BOB, 'leave').ok).toBe(false);
  });

  it('allows a moderator at the kick level to kick a lower member', () => {
    expect(moderated(rules).tryMember(CAROL, BOB, 'leave').ok).toBe(true);
  });

  it('rejects a kick from a sender who is not joined', () => {
    const room = moderated(rules).member(CAROL, 'leave');
    expect(room.tryMember(CAROL, BOB, 'leave')).toMatchObject({ ok: false, reason: expect.stringContaining('not join') });
  });

  it('rejects a kick below the kick level', () => {
    expect(moderated(rules, { kick: 75 }).tryMember(CAROL, BOB, 'leave').ok).toBe(false);
  });

  it('rejects kicking a member of equal power', () => {
    expect(moderated(rules).tryMember(CAROL, DAVE, 'leave').ok).toBe(false);
  });

  it('rejects kicking a member of higher power', () => {
    expect(moderated(rules).tryMember(CAROL, ALICE, 'leave').ok).toBe(false);
  });

  it('allows unbanning at both the kick and ban levels', () => {
    expect(moderated(rules).member(BOB, 'ban', ALICE).tryMember(CAROL, BOB, 'leave').ok).toBe(true);
  });

  it('rejects unbanning below the ban level', () => {
    const room = moderated(rules, { ban: 75 }).member(BOB, 'ban', ALICE);
    expect(room.tryMember(CAROL, BOB, 'leave')).toMatchObject({ ok: false, reason: expect.stringContaining('ban level') });
  });

  it('rejects unbanning below the kick level', () => {
    expect(moderated(rules, { kick: 75 }).member(BOB, 'ban', ALICE).tryMember(CAROL, BOB, 'leave').ok).toBe(false);
  });

  it('allows the creator to kick when the room has no power levels', () => {
    const room = new TestRoom(rules, { powerLevels: null }).member(BOB, 'join');
    expect(room.tryMember(ALICE, BOB, 'leave').ok).toBe(true);
    expect(room.tryMember(BOB, ALICE, 'leave').ok).toBe(false);
  });
});

describe.each(versions(1))('ban, room v%s', (_v, rules) => {
  it('allows a moderator at the ban level to ban a lower member', () => {
    expect(moderated(rules).tryMember(CAROL, BOB, 'ban').ok).toBe(true);
  });

  it('allows banning a user who is not in the room', () => {
    expect(moderated(rules).tryMember(CAROL, '@eve:e.test', 'ban').ok).toBe(true);
  });

  it('rejects a ban from a sender who is not joined', () => {
    expect(moderated(rules).member(CAROL, 'leave').tryMember(CAROL, BOB, 'ban').ok).toBe(false);
  });

  it('rejects a ban below the ban level', () => {
    expect(moderated(rules, { ban: 51 }).tryMember(CAROL, BOB, 'ban').ok).toBe(false);
  });

  it('rejects banning a member of equal power', () => {
    expect(moderated(rules).tryMember(CAROL, DAVE, 'ban').ok).toBe(false);
  });

  it('rejects banning oneself, as the target level is not below the sender level', () => {
    // The target's level equals the sender's, so "less than the sender's" fails.
    expect(moderated(rules).tryMember(CAROL, CAROL, 'ban').ok).toBe(false);
  });
});

describe.each(versions(1, 6))('knock before room v7 (v%s)', (_v, rules) => {
  it('rejects knock as an unknown membership', () => {
    const room = new TestRoom(rules, { joinRule: 'knock' });
    expect(room.tryMember(BOB, BOB, 'knock')).toMatchObject({ ok: false, reason: expect.stringContaining('unknown') });
  });

  it('rejects a knocking user retracting the knock, as knock is not a membership', () => {
    const room = new TestRoom(rules, { joinRule: 'knock' }).member(BOB, 'knock');
    expect(room.tryMember(BOB, BOB, 'leave').ok).toBe(false);
  });
});

describe.each(versions(7))('knock, room v%s', (_v, rules) => {
  it('allows knocking on a room with the knock join rule', () => {
    expect(new TestRoom(rules, { joinRule: 'knock' }).tryMember(BOB, BOB, 'knock').ok).toBe(true);
  });

  it('allows knocking again after leaving', () => {
    const room = new TestRoom(rules, { joinRule: 'knock' }).member(BOB, 'leave');
    expect(room.tryMember(BOB, BOB, 'knock').ok).toBe(true);
  });

  it.each(['public', 'invite', 'restricted', 'private'])('rejects knocking under the %s join rule', (joinRule) => {
    expect(new TestRoom(rules, { joinRule }).tryMember(BOB, BOB, 'knock').ok).toBe(false);
  });

  it('rejects knocking on behalf of someone else', () => {
    const room = new TestRoom(rules, { joinRule: 'knock' });
    expect(room.tryMember(ALICE, BOB, 'knock')).toMatchObject({ ok: false, reason: expect.stringContaining('state_key') });
  });

  it.each(['ban', 'invite', 'join'])('rejects knocking when already %s', (membership) => {
    const room = new TestRoom(rules, { joinRule: 'knock' }).member(BOB, membership, membership === 'join' ? BOB : ALICE);
    expect(room.tryMember(BOB, BOB, 'knock').ok).toBe(false);
  });

  it('allows a knocking user to retract the knock', () => {
    const room = new TestRoom(rules, { joinRule: 'knock' }).member(BOB, 'knock');
    expect(room.tryMember(BOB, BOB, 'leave').ok).toBe(true);
  });

  it('allows a member to invite a knocking user', () => {
    const room = new TestRoom(rules, { joinRule: 'knock' }).member(BOB, 'knock');
    expect(room.tryMember(ALICE, BOB, 'invite').ok).toBe(true);
  });

  it('allows a knock without being in the room, unlike other events', () => {
    const room = new TestRoom(rules, { joinRule: 'knock' });
    expect(room.tryMember('@eve:e.test', '@eve:e.test', 'knock').ok).toBe(true);
  });
});

describe.each(versions(7, 9))('knock_restricted before room v10 (v%s)', (_v, rules) => {
  it('rejects knocking under the knock_restricted join rule', () => {
    expect(new TestRoom(rules, { joinRule: 'knock_restricted' }).tryMember(BOB, BOB, 'knock').ok).toBe(false);
  });
});

describe.each(versions(10))('knock_restricted, room v%s', (_v, rules) => {
  it('allows knocking under the knock_restricted join rule', () => {
    expect(new TestRoom(rules, { joinRule: 'knock_restricted' }).tryMember(BOB, BOB, 'knock').ok).toBe(true);
  });

  it('rejects a join under knock_restricted without invite or authoriser', () => {
    expect(new TestRoom(rules, { joinRule: 'knock_restricted' }).tryMember(BOB, BOB, 'join').ok).toBe(false);
  });
});
