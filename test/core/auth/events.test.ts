// The rules for events other than m.room.create and m.room.member: the sender must be
// joined, the required power level, state keys starting with @, m.room.aliases (v1-5) and
// m.room.redaction (v1-2).
import { describe, expect, it } from 'vitest';
import type { AuthRules } from '../../../src/core/auth/index.js';
import { ALICE, BOB, CAROL, TestRoom, versions } from './helpers.js';

const creatorUsers = (rules: AuthRules, extra: Record<string, unknown> = {}) => ({
  ...(rules.privilegedCreators ? {} : { [ALICE]: 100 }),
  ...extra,
});

describe.each(versions(1))('sender membership, room v%s', (_v, rules) => {
  it('allows a message from a joined member', () => {
    expect(new TestRoom(rules).member(BOB, 'join').try({ type: 'm.room.message', sender: BOB, content: {} }).ok).toBe(true);
  });

  it.each([['invite'], ['leave'], ['ban'], ['knock']])('rejects a message from a %s member', (membership) => {
    const room = new TestRoom(rules).member(BOB, membership, ALICE);
    expect(room.try({ type: 'm.room.message', sender: BOB, content: {} })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('not join'),
    });
  });

  it('rejects a message from a user never in the room', () => {
    expect(new TestRoom(rules).try({ type: 'm.room.message', sender: BOB, content: {} }).ok).toBe(false);
  });
});

describe.each(versions(1))('required power level, room v%s', (_v, rules) => {
  it('rejects state from a joiner before the first power levels', () => {
    // With no m.room.power_levels the state_default is 50, and a joiner has 0.
    const room = new TestRoom(rules, { powerLevels: null }).member(BOB, 'join');
    expect(room.try({ type: 'm.room.topic', sender: BOB, stateKey: '', content: { topic: 'x' } })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('required power level'),
    });
  });

  it('allows state from the creator before the first power levels', () => {
    const room = new TestRoom(rules, { powerLevels: null });
    expect(room.try({ type: 'm.room.topic', sender: ALICE, stateKey: '', content: { topic: 'x' } }).ok).toBe(true);
  });

  it('allows messages from a joiner before the first power levels', () => {
    const room = new TestRoom(rules, { powerLevels: null }).member(BOB, 'join');
    expect(room.try({ type: 'm.room.message', sender: BOB, content: {} }).ok).toBe(true);
  });

  it('allows the creator to send the first power levels', () => {
    const room = new TestRoom(rules, { powerLevels: null });
    const content = { users: creatorUsers(rules) };
    expect(room.try({ type: 'm.room.power_levels', sender: ALICE, stateKey: '', content }).ok).toBe(true);
  });

  it('rejects the first power levels from a joiner', () => {
    const room = new TestRoom(rules, { powerLevels: null }).member(BOB, 'join');
    const content = { users: { [BOB]: 100 } };
    expect(room.try({ type: 'm.room.power_levels', sender: BOB, stateKey: '', content }).ok).toBe(false);
  });

  it('uses events[type] over state_default', () => {
    const room = new TestRoom(rules, { powerLevels: { users: creatorUsers(rules), events: { 'm.room.topic': 0 } } });
    room.member(BOB, 'join');
    expect(room.try({ type: 'm.room.topic', sender: BOB, stateKey: '', content: {} }).ok).toBe(true);
    expect(room.try({ type: 'm.room.name', sender: BOB, stateKey: '', content: {} }).ok).toBe(false);
  });

  it('uses events[type] over events_default', () => {
    const room = new TestRoom(rules, { powerLevels: { users: creatorUsers(rules), events: { 'm.reaction': 10 } } });
    room.member(BOB, 'join');
    expect(room.try({ type: 'm.reaction', sender: BOB, content: {} }).ok).toBe(false);
    expect(room.try({ type: 'm.room.message', sender: BOB, content: {} }).ok).toBe(true);
  });

  it('applies events_default to messages', () => {
    const room = new TestRoom(rules, { powerLevels: { users: creatorUsers(rules, { [CAROL]: 5 }), events_default: 5 } });
    room.member(BOB, 'join').member(CAROL, 'join');
    expect(room.try({ type: 'm.room.message', sender: BOB, content: {} }).ok).toBe(false);
    expect(room.try({ type: 'm.room.message', sender: CAROL, content: {} }).ok).toBe(true);
  });

  it('applies users_default to users without an entry', () => {
    const room = new TestRoom(rules, { powerLevels: { users: creatorUsers(rules), users_default: 50 } });
    room.member(BOB, 'join');
    expect(room.try({ type: 'm.room.topic', sender: BOB, stateKey: '', content: {} }).ok).toBe(true);
  });

  it('applies state_default to state with a non-empty state_key', () => {
    const room = new TestRoom(rules, { powerLevels: { users: creatorUsers(rules), state_default: 0 } }).member(BOB, 'join');
    expect(room.try({ type: 'org.example.thing', sender: BOB, stateKey: 'k', content: {} }).ok).toBe(true);
  });
});

describe.each(versions(1))('state keys starting with @, room v%s', (_v, rules) => {
  const room = () => new TestRoom(rules, { powerLevels: { users: creatorUsers(rules), state_default: 0 } }).member(BOB, 'join');

  it("allows state keyed by the sender's own user ID", () => {
    expect(room().try({ type: 'org.example.x', sender: BOB, stateKey: BOB, content: {} }).ok).toBe(true);
  });

  it("rejects state keyed by another user's ID", () => {
    expect(room().try({ type: 'org.example.x', sender: BOB, stateKey: ALICE, content: {} })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('@'),
    });
  });

  it('rejects a state_key starting with @ even for the creator', () => {
    expect(room().try({ type: 'org.example.x', sender: ALICE, stateKey: '@bob', content: {} }).ok).toBe(false);
  });

  it('allows a state_key with @ elsewhere', () => {
    expect(room().try({ type: 'org.example.x', sender: BOB, stateKey: `x${ALICE}`, content: {} }).ok).toBe(true);
  });
});

describe.each(versions(1, 5))('m.room.aliases special case, room v%s', (_v, rules) => {
  it("allows aliases keyed by the sender's domain without being joined or powerful", () => {
    const room = new TestRoom(rules);
    expect(room.try({ type: 'm.room.aliases', sender: BOB, stateKey: 'b.test', content: { aliases: [] } }).ok).toBe(true);
  });

  it("rejects aliases keyed by another domain", () => {
    const room = new TestRoom(rules);
    expect(room.try({ type: 'm.room.aliases', sender: ALICE, stateKey: 'b.test', content: {} })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('domain'),
    });
  });

  it('rejects aliases without a state_key', () => {
    expect(new TestRoom(rules).try({ type: 'm.room.aliases', sender: ALICE, content: {} }).ok).toBe(false);
  });
});

describe.each(versions(6))('m.room.aliases as ordinary state, room v%s', (_v, rules) => {
  it("rejects aliases from a non-member even when keyed by the sender's domain", () => {
    expect(new TestRoom(rules).try({ type: 'm.room.aliases', sender: BOB, stateKey: 'b.test', content: {} }).ok).toBe(false);
  });

  it('rejects aliases from a joined member below state_default', () => {
    const room = new TestRoom(rules).member(BOB, 'join');
    expect(room.try({ type: 'm.room.aliases', sender: BOB, stateKey: 'b.test', content: {} }).ok).toBe(false);
  });

  it('allows aliases from a joined member at state_default, keyed by any domain', () => {
    const room = new TestRoom(rules).member(BOB, 'join').powerLevels({ users: creatorUsers(rules, { [BOB]: 50 }) });
    expect(room.try({ type: 'm.room.aliases', sender: BOB, stateKey: 'a.test', content: {} }).ok).toBe(true);
  });
});

describe.each(versions(1, 2))('m.room.redaction domain check, room v%s', (_v, rules) => {
  const room = () => new TestRoom(rules).member(BOB, 'join');

  it('allows a redaction at the redact level', () => {
    const r = room();
    expect(r.try({ type: 'm.room.redaction', sender: ALICE, redacts: '$x:b.test', eventId: '$r:a.test', content: {} }).ok).toBe(true);
  });

  it("allows a redaction below the redact level of an event from the redaction's domain", () => {
    const r = room();
    expect(r.try({ type: 'm.room.redaction', sender: BOB, redacts: '$x:b.test', eventId: '$r:b.test', content: {} }).ok).toBe(true);
  });

  it('rejects a redaction below the redact level of an event from another domain', () => {
    const r = room();
    expect(r.try({ type: 'm.room.redaction', sender: BOB, redacts: '$x:a.test', eventId: '$r:b.test', content: {} })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('redact'),
    });
  });

  it('rejects a redaction below the redact level without redacts', () => {
    const r = room();
    expect(r.try({ type: 'm.room.redaction', sender: BOB, eventId: '$r:b.test', content: {} }).ok).toBe(false);
  });
});

describe.each(versions(3))('m.room.redaction without the domain check, room v%s', (_v, rules) => {
  it('allows a redaction below the redact level of an event from another domain', () => {
    const room = new TestRoom(rules).member(BOB, 'join');
    expect(room.try({ type: 'm.room.redaction', sender: BOB, redacts: '$x:a.test', content: {} }).ok).toBe(true);
  });

  it('rejects a redaction below its events level', () => {
    const room = new TestRoom(rules, { powerLevels: { users: creatorUsers(rules), events: { 'm.room.redaction': 10 } } });
    room.member(BOB, 'join');
    expect(room.try({ type: 'm.room.redaction', sender: BOB, redacts: '$x', content: {} }).ok).toBe(false);
  });
});
