// Hand-built DAGs in Synapse's edge-list format (tests/state/test_v2.py), run through the
// real authorisation rules. Every graph starts with Synapse's INITIAL_EVENTS (alice creates
// a public room at PL 100; bob, charlie and zara join), then START; the expectation is the
// state at END restricted to the keys that changed since START.

import { describe, expect, it } from 'vitest';
import { V2_AUTH, V11_AUTH, V12_AUTH } from '../../../src/core/auth/rules.js';
import { stateKey } from '../../../src/core/events/types.js';
import {
  ALICE,
  BOB,
  CHARLIE,
  EVELYN,
  buildDag,
  changedStateAtEnd,
  eventIdOf,
  resolveWith,
  withEvents,
  expectedState,
  joinRules,
  member,
  message,
  powerLevels,
  topic,
  type FakeEvent,
  type RoomVersion,
} from './builder.js';

const ROOM_V2: RoomVersion = { rules: V2_AUTH, algorithm: 'v2' };
const ROOM_V11: RoomVersion = { rules: V11_AUTH, algorithm: 'v2' };
const ROOM_V12: RoomVersion = { rules: V12_AUTH, algorithm: 'v2.1' };

interface Fixture {
  name: string;
  events: FakeEvent[];
  edges: string[][];
  expected: string[];
}

// In v12 alice is a creator: she has infinite power and is never listed in `users`.
const users = (room: RoomVersion, levels: Record<string, number>): Record<string, number> =>
  room.rules.privilegedCreators ? Object.fromEntries(Object.entries(levels).filter(([u]) => u !== ALICE)) : levels;

function synapseFixtures(room: RoomVersion): Fixture[] {
  const pl = (id: string, sender: string, levels: Record<string, number>, extra: Record<string, unknown> = {}) =>
    powerLevels(id, sender, { users: users(room, levels), ...extra });
  return [
    {
      // Alice (100) bans bob while bob (50) changes the power levels: the ban sorts first
      // (higher-power sender), so bob's power levels fail auth.
      name: 'a ban by a higher-power sender beats the banned user’s concurrent power levels',
      events: [
        pl('PA', ALICE, { [ALICE]: 100, [BOB]: 50 }),
        member('MA', ALICE, ALICE, 'join'),
        member('MB', ALICE, BOB, 'ban'),
        pl('PB', BOB, { [ALICE]: 100, [BOB]: 50 }),
      ],
      edges: [
        ['END', 'MB', 'MA', 'PA', 'START'],
        ['END', 'PB', 'PA'],
      ],
      expected: ['PA', 'MA', 'MB'],
    },
    {
      // Evelyn joins concurrently with the room becoming invite-only: the join rules are a
      // power event applied first, so her join fails against them.
      name: 'a join concurrent with a switch to invite-only is rejected',
      events: [joinRules('JR', ALICE, 'invite'), member('ME', EVELYN, EVELYN, 'join')],
      edges: [
        ['END', 'JR', 'START'],
        ['END', 'ME', 'START'],
      ],
      expected: ['JR'],
    },
    {
      // Charlie's power levels build on bob's, which build on alice's, and all pass auth
      // in that order, so the newest one wins over the older fork.
      name: 'the end of a chain of power levels changes wins over its own ancestor',
      events: [
        pl('PA', ALICE, { [ALICE]: 100, [BOB]: 50 }),
        pl('PB', BOB, { [ALICE]: 100, [BOB]: 50, [CHARLIE]: 50 }),
        pl('PC', CHARLIE, { [ALICE]: 100, [BOB]: 50, [CHARLIE]: 0 }),
      ],
      edges: [
        ['END', 'PC', 'PB', 'PA', 'START'],
        ['END', 'PA'],
      ],
      expected: ['PC'],
    },
    {
      // Alice demotes bob (PA2) while bob re-promotes himself and sets a topic: bob's
      // power levels fail, so his topic fails too and alice's T2 stays.
      name: 'a topic from a user demoted on another fork is rejected',
      events: [
        topic('T1', ALICE),
        pl('PA1', ALICE, { [ALICE]: 100, [BOB]: 50 }),
        topic('T2', ALICE),
        pl('PA2', ALICE, { [ALICE]: 100, [BOB]: 0 }),
        pl('PB', BOB, { [ALICE]: 100, [BOB]: 50 }),
        topic('T3', BOB),
      ],
      edges: [
        ['END', 'PA2', 'T2', 'PA1', 'T1', 'START'],
        ['END', 'T3', 'PB', 'PA1'],
      ],
      expected: ['PA2', 'T2'],
    },
    {
      // Bob's topic T2 is on the fork where he is then banned; the other fork still has
      // T1. The ban stands, T2 fails against it, and the topic resets to T1.
      name: 'a topic set by a user banned on the same fork resets to the older topic',
      events: [
        topic('T1', ALICE),
        pl('PA', ALICE, { [ALICE]: 100, [BOB]: 50 }),
        topic('T2', BOB),
        member('MB', ALICE, BOB, 'ban'),
      ],
      edges: [
        ['END', 'MB', 'T2', 'PA', 'T1', 'START'],
        ['END', 'T1'],
      ],
      expected: ['T1', 'MB', 'PA'],
    },
    {
      // As the demotion case, with a message merging the forks before alice's later topic.
      name: 'a topic set after the forks merge wins over topics from either fork',
      events: [
        topic('T1', ALICE),
        pl('PA1', ALICE, { [ALICE]: 100, [BOB]: 50 }),
        topic('T2', ALICE),
        pl('PA2', ALICE, { [ALICE]: 100, [BOB]: 0 }),
        pl('PB', BOB, { [ALICE]: 100, [BOB]: 50 }),
        topic('T3', BOB),
        message('MZ1', '@zara:example.com'),
        topic('T4', ALICE),
      ],
      edges: [
        ['END', 'T4', 'MZ1', 'PA2', 'T2', 'PA1', 'T1', 'START'],
        ['END', 'MZ1', 'T3', 'PB', 'PA1'],
      ],
      expected: ['T4', 'PA2'],
    },
    {
      // T3 cites the newer power levels PA2 and T4 the older PA1; mainline ordering applies
      // T4 first, then T3, although T4 was sent later. Bob's PB fails (PA2 requires 100).
      name: 'mainline ordering lets the topic based on the newer power levels win',
      events: [
        topic('T1', ALICE),
        pl('PA1', ALICE, { [ALICE]: 100, [BOB]: 50 }),
        topic('T2', ALICE),
        pl('PA2', ALICE, { [ALICE]: 100, [BOB]: 50 }, { events: { 'm.room.power_levels': 100 } }),
        pl('PB', BOB, { [ALICE]: 100, [BOB]: 50 }),
        topic('T3', BOB),
        topic('T4', ALICE),
      ],
      edges: [
        ['END', 'T3', 'PA2', 'T2', 'PA1', 'T1', 'START'],
        ['END', 'T4', 'PB', 'PA1'],
      ],
      expected: ['T3', 'PA2'],
    },
  ];
}

for (const [label, room] of [
  ['room v2 (state res v2)', ROOM_V2],
  ['room v11 (state res v2)', ROOM_V11],
  ['room v12 (state res v2.1)', ROOM_V12],
] as const) {
  describe(`Synapse's state res DAGs in ${label}`, () => {
    for (const fixture of synapseFixtures(room)) {
      it(fixture.name, () => {
        expect(changedStateAtEnd(room, fixture.events, fixture.edges)).toEqual(
          expectedState(fixture.events, fixture.expected),
        );
      });
    }
  });
}

// MSC4297's two state resets, on Synapse's initial events. Each resolves two hand-made
// state sets, one of which has (wrongly) reverted a key to an older event.
describe('MSC4297 state resets', () => {
  const ROOMS = [
    ['room v11 (state res v2)', ROOM_V11],
    ['room v12 (state res v2.1)', ROOM_V12],
  ] as const;

  // Problem A: alice makes the room invite-only (JR), then leaves (LA). One fork still has
  // the public IJR. In v2 both join rules are checked against the unconflicted state, where
  // alice has left, so both fail and the room has no join rules at all; v2.1 starts from
  // the empty state, checks them against their auth events, and keeps JR.
  for (const [label, room] of ROOMS) {
    it(`problem A: conflicting join rules from a user who then left (${label})`, () => {
      const events = [joinRules('JR', ALICE, 'invite'), member('LA', ALICE, ALICE, 'leave')];
      const dag = buildDag(room, events, [['END', 'LA', 'JR', 'START']]);
      const afterLeave = dag.stateAfter.get('LA')!;
      const resolved = resolveWith(room, dag.events, [afterLeave, withEvents(dag, afterLeave, ['IJR'])]);
      expect(resolved.get(stateKey('m.room.join_rules', ''))).toBe(
        room.algorithm === 'v2.1' ? eventIdOf('JR') : undefined,
      );
    });
  }

  // Problem B: alice makes bob 50 (PA), bob makes charlie 50 (PB), evelyn joins and changes
  // her name (ME, MEE). One fork reverts the power levels to IPOWER. PA is in both auth
  // chains, so v2 leaves it out and checks PB against IPOWER (bob at 0): the power levels
  // reset. v2.1 adds PA, which lies on the auth path PB → PA → IPOWER, and keeps PB.
  for (const [label, room] of ROOMS) {
    it(`problem B: power levels reset past an event between two conflicted ones (${label})`, () => {
      const levels = (extra: Record<string, number>) => ({ users: users(room, { [ALICE]: 100, ...extra }) });
      const events = [
        powerLevels('PA', ALICE, levels({ [BOB]: 50 })),
        powerLevels('PB', BOB, levels({ [BOB]: 50, [CHARLIE]: 50 })),
        member('ME', EVELYN, EVELYN, 'join'),
        { ...member('MEE', EVELYN, EVELYN, 'join'), content: { membership: 'join', displayname: 'evelyn++' } },
      ];
      const dag = buildDag(room, events, [['END', 'MEE', 'ME', 'PB', 'PA', 'START']]);
      const reset = withEvents(dag, dag.stateAfter.get('MEE')!, ['IPOWER']);
      const resolved = resolveWith(room, dag.events, [dag.stateAfter.get('PB')!, reset]);
      expect(resolved.get(stateKey('m.room.power_levels', ''))).toBe(
        eventIdOf(room.algorithm === 'v2.1' ? 'PB' : 'IPOWER'),
      );
      expect(resolved.get(stateKey('m.room.member', EVELYN))).toBe(eventIdOf('MEE'));
    });
  }
});
