// The spec-named pieces of state resolution, each on a tiny graph with a stub auth check.

import { describe, expect, it } from 'vitest';
import { V10_AUTH, V11_AUTH, V12_AUTH } from '../../../src/core/auth/rules.js';
import type { AuthEvent } from '../../../src/core/events/types.js';
import { stateKey } from '../../../src/core/events/types.js';
import {
  authDifference,
  conflictedStateSubgraph,
  createContext,
  fullAuthChain,
  isPowerEvent,
  iterativeAuthChecks,
  mainlineSort,
  reverseTopologicalPowerSort,
  senderPowerLevel,
  separate,
} from '../../../src/core/state-res/index.js';

const ALICE = '@alice:example.com';
const BOB = '@bob:example.com';

function ev(id: string, fields: Partial<AuthEvent> = {}): AuthEvent {
  return {
    eventId: id,
    roomId: '!room:example.com',
    sender: ALICE,
    type: 'm.room.topic',
    stateKey: '',
    content: {},
    authEvents: [],
    prevEvents: [],
    originServerTs: 0,
    depth: 0,
    ...fields,
  };
}

function ctxOf(events: AuthEvent[], rules = V10_AUTH, allow: (e: AuthEvent) => boolean = () => true) {
  const byId = new Map(events.map((e) => [e.eventId, e]));
  return createContext({
    rules,
    getEvent: (id) => byId.get(id),
    checkAuth: (_rules, event) => (allow(event) ? { ok: true } : { ok: false, reason: 'stub' }),
  });
}

const K = (type: string, key = '') => stateKey(type, key);

describe('separate', () => {
  it('puts a key into the unconflicted map only when every state set has the same event', () => {
    const s1 = new Map([[K('a'), '$1'], [K('b'), '$2'], [K('c'), '$3']]);
    const s2 = new Map([[K('a'), '$1'], [K('b'), '$9']]);
    const { unconflicted, conflicted } = separate([s1, s2]);
    expect(unconflicted).toEqual(new Map([[K('a'), '$1']]));
    // A key missing from one state set is conflicted, holding only the events that exist.
    expect(conflicted).toEqual(new Map([[K('b'), new Set(['$2', '$9'])], [K('c'), new Set(['$3'])]]));
  });
});

describe('authDifference', () => {
  it('is the union of the auth chains minus their intersection', () => {
    expect(authDifference([new Set(['a', 'b', 'c']), new Set(['b', 'c', 'd']), new Set(['c', 'e'])])).toEqual(
      new Set(['a', 'b', 'd', 'e']),
    );
  });
  it('is empty for a single auth chain', () => {
    expect(authDifference([new Set(['a'])])).toEqual(new Set());
  });
});

describe('fullAuthChain', () => {
  it('collects auth events recursively without the starting events, tolerating cycles', () => {
    const ctx = ctxOf([
      ev('$c', { authEvents: ['$b'] }),
      ev('$b', { authEvents: ['$a'] }),
      ev('$a', { authEvents: ['$c2'] }),
      ev('$c2', { authEvents: ['$a'] }), // a hostile cycle
    ]);
    expect(fullAuthChain(ctx, ['$c'])).toEqual(new Set(['$b', '$a', '$c2']));
    expect(fullAuthChain(ctx, ['$c', '$b'])).toEqual(new Set(['$b', '$a', '$c2']));
  });
});

describe('conflictedStateSubgraph', () => {
  // C1 → X → Y → C2 → Z: X and Y lie on the path between two conflicted events; Z does not.
  it('holds the events on auth paths between conflicted events, and no others', () => {
    const ctx = ctxOf([
      ev('$C1', { authEvents: ['$X', '$W'] }),
      ev('$X', { authEvents: ['$Y'] }),
      ev('$Y', { authEvents: ['$C2'] }),
      ev('$C2', { authEvents: ['$Z'] }),
      ev('$W', { authEvents: ['$Z'] }),
      ev('$Z'),
    ]);
    expect(conflictedStateSubgraph(ctx, new Set(['$C1', '$C2']))).toEqual(new Set(['$C1', '$X', '$Y', '$C2']));
  });
});

describe('reverseTopologicalPowerSort', () => {
  // Synapse's LexicographicalTestCase: with equal power and timestamps, ties break by event ID.
  it('emits auth events first, then the smallest candidate by event ID', () => {
    const graph = new Map([
      ['l', ['o']],
      ['m', ['n', 'o']],
      ['n', ['o']],
      ['o', []],
      ['p', ['o']],
    ]);
    expect(reverseTopologicalPowerSort(graph, () => ({ powerLevel: 0, originServerTs: 0 }))).toEqual([
      'o',
      'l',
      'n',
      'm',
      'p',
    ]);
  });
  it('prefers the higher-power sender, then the earlier timestamp, over the event ID', () => {
    const keys: Record<string, { powerLevel: number; originServerTs: number }> = {
      a: { powerLevel: 0, originServerTs: 1 },
      b: { powerLevel: 100, originServerTs: 9 },
      c: { powerLevel: 0, originServerTs: 0 },
      d: { powerLevel: Infinity, originServerTs: 99 },
    };
    const graph = new Map(Object.keys(keys).map((k) => [k, [] as string[]]));
    expect(reverseTopologicalPowerSort(graph, (id) => keys[id]!)).toEqual(['d', 'b', 'c', 'a']);
  });
  it('compares event IDs by code point, not by UTF-16 code unit', () => {
    // U+FF61 < U+1F600, though its UTF-16 unit 0xFF61 is above the surrogate 0xD83D.
    const graph = new Map([
      ['$\u{1F600}', []],
      ['$\uFF61', []],
    ]);
    expect(reverseTopologicalPowerSort(graph, () => ({ powerLevel: 0, originServerTs: 0 }))).toEqual([
      '$\uFF61',
      '$\u{1F600}',
    ]);
  });
  it('leaves out events on an auth cycle instead of looping', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['a']],
      ['c', []],
    ]);
    expect(reverseTopologicalPowerSort(graph, () => ({ powerLevel: 0, originServerTs: 0 }))).toEqual(['c']);
  });
});

describe('senderPowerLevel', () => {
  const create = ev('$create', { type: 'm.room.create', content: { creator: ALICE } });
  it('reads users, then users_default, from the power levels among the auth events', () => {
    const pl = ev('$pl', { type: 'm.room.power_levels', content: { users: { [ALICE]: 100 }, users_default: 7 } });
    const byAlice = ev('$e1', { authEvents: ['$create', '$pl'] });
    const byBob = ev('$e2', { sender: BOB, authEvents: ['$create', '$pl'] });
    const ctx = ctxOf([create, pl, byAlice, byBob]);
    expect(senderPowerLevel(ctx, byAlice)).toBe(100);
    expect(senderPowerLevel(ctx, byBob)).toBe(7);
  });
  it('gives the creator 100 and others 0 when the auth events hold no power levels', () => {
    const byAlice = ev('$e1', { authEvents: ['$create'] });
    const byBob = ev('$e2', { sender: BOB, authEvents: ['$create'] });
    const ctx = ctxOf([create, byAlice, byBob]);
    expect(senderPowerLevel(ctx, byAlice)).toBe(100);
    expect(senderPowerLevel(ctx, byBob)).toBe(0);
  });
  it('gives room v12 creators infinite power, finding the create event from the room ID', () => {
    const create12 = ev('$create12', { type: 'm.room.create', roomId: '!create12', content: {} });
    const pl = ev('$pl', { type: 'm.room.power_levels', roomId: '!create12', content: { users: { [BOB]: 100 } } });
    const byAlice = ev('$e1', { roomId: '!create12', authEvents: ['$pl'] });
    const ctx = ctxOf([create12, pl, byAlice], V12_AUTH);
    expect(senderPowerLevel(ctx, byAlice)).toBe(Infinity);
  });
});

describe('isPowerEvent', () => {
  it('counts power levels, join rules, create, and kicks and bans of others', () => {
    expect(isPowerEvent(ev('$1', { type: 'm.room.power_levels' }))).toBe(true);
    expect(isPowerEvent(ev('$2', { type: 'm.room.join_rules' }))).toBe(true);
    expect(isPowerEvent(ev('$3', { type: 'm.room.create' }))).toBe(true);
    const member = (sender: string, membership: string) =>
      ev('$m', { type: 'm.room.member', stateKey: BOB, sender, content: { membership } });
    expect(isPowerEvent(member(ALICE, 'ban'))).toBe(true);
    expect(isPowerEvent(member(ALICE, 'leave'))).toBe(true);
    expect(isPowerEvent(member(BOB, 'leave'))).toBe(false); // leaving yourself removes no one's power
    expect(isPowerEvent(member(ALICE, 'invite'))).toBe(false);
    expect(isPowerEvent(ev('$t', { type: 'm.room.topic' }))).toBe(false);
  });
});

describe('mainlineSort', () => {
  // PL1 ← PL2 is the mainline; T1 cites PL1, T2 cites PL2, T0 cites no power levels.
  const events = [
    ev('$PL1', { type: 'm.room.power_levels' }),
    ev('$PL2', { type: 'm.room.power_levels', authEvents: ['$PL1'] }),
    ev('$T1', { authEvents: ['$PL1'], originServerTs: 50 }),
    ev('$T2', { authEvents: ['$PL2'], originServerTs: 10 }),
    ev('$T0', { originServerTs: 99 }),
    ev('$T2b', { authEvents: ['$PL2'], originServerTs: 10 }),
  ];
  it('orders by older mainline position first, then timestamp, then event ID', () => {
    const ctx = ctxOf(events);
    expect(mainlineSort(ctx, ['$T2b', '$T1', '$T2', '$T0'], '$PL2')).toEqual(['$T0', '$T1', '$T2', '$T2b']);
  });
  it('uses timestamps alone when there is no power levels event', () => {
    const ctx = ctxOf(events);
    expect(mainlineSort(ctx, ['$T1', '$T0', '$T2'], undefined)).toEqual(['$T2', '$T1', '$T0']);
  });
});

describe('iterativeAuthChecks', () => {
  it('applies allowed events in order, ignores denied ones, and skips unknown events', () => {
    const events = [ev('$a', { type: 'm.room.name' }), ev('$b', { type: 'm.room.name', sender: BOB }), ev('$c')];
    const ctx = ctxOf(events, V11_AUTH, (e) => e.sender === ALICE);
    const state = iterativeAuthChecks(ctx, ['$a', '$b', '$missing', '$c'], new Map([[K('m.room.x'), '$x']]));
    expect(state).toEqual(new Map([[K('m.room.x'), '$x'], [K('m.room.name'), '$a'], [K('m.room.topic'), '$c']]));
  });
  it('answers the auth check from the state, falling back to non-rejected auth events', () => {
    const jrOld = ev('$jrOld', { type: 'm.room.join_rules', content: { join_rule: 'public' } });
    const jrNew = ev('$jrNew', { type: 'm.room.join_rules', content: { join_rule: 'invite' } });
    const plRejected = ev('$plRejected', { type: 'm.room.power_levels' });
    const joiner = ev('$join', { type: 'm.room.member', stateKey: BOB, sender: BOB, authEvents: ['$jrOld', '$plRejected'] });
    const byId = new Map([jrOld, jrNew, plRejected, joiner].map((e) => [e.eventId, e]));
    const seen: Array<string | undefined> = [];
    const ctx = createContext({
      rules: V11_AUTH,
      getEvent: (id) => byId.get(id),
      isRejected: (id) => id === '$plRejected',
      checkAuth: (_r, _e, lookup) => {
        seen.push(lookup('m.room.join_rules', '')?.eventId, lookup('m.room.power_levels', '')?.eventId);
        return { ok: true };
      },
    });
    iterativeAuthChecks(ctx, ['$join'], new Map());
    iterativeAuthChecks(ctx, ['$join'], new Map([[K('m.room.join_rules'), '$jrNew']]));
    expect(seen).toEqual(['$jrOld', undefined, '$jrNew', undefined]);
  });
});
