// Property: state resolution depends only on the states given, not on the order of the
// state sets nor on the insertion order of their maps. Shuffles use a seeded PRNG so a
// failure reproduces.

import { describe, expect, it } from 'vitest';
import { checkAuth } from '../../../src/core/auth/check-auth.js';
import { V1_AUTH, V11_AUTH, V12_AUTH, type AuthRules } from '../../../src/core/auth/rules.js';
import type { AuthEvent, StateKey } from '../../../src/core/events/types.js';
import { stateKey } from '../../../src/core/events/types.js';
import { resolveState, type StateResAlgorithm } from '../../../src/core/state-res/index.js';
import { ALICE, BOB, buildDag, member, powerLevels, topic, type RoomVersion } from './builder.js';
import { RUMA_CASES, algorithmOf, loadPduFiles, rulesOf } from './ruma-loader.js';

/** mulberry32: a tiny deterministic PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

type State = Map<StateKey, string>;

function expectOrderIndependent(
  algorithm: StateResAlgorithm,
  rules: AuthRules,
  events: ReadonlyMap<string, AuthEvent>,
  stateSets: State[],
  seed: number,
) {
  const resolve = (sets: State[]) =>
    resolveState({ algorithm, rules, stateSets: sets, getEvent: (id) => events.get(id), checkAuth });
  const reference = resolve(stateSets);
  const random = prng(seed);
  for (let round = 0; round < 20; round++) {
    const shuffled = shuffle(stateSets, random).map((s) => new Map(shuffle([...s], random)));
    expect(resolve(shuffled)).toEqual(reference);
  }
  return reference;
}

describe('resolution is independent of input order', () => {
  for (const [n, c] of RUMA_CASES.entries()) {
    // Every PDU of the case as its own state map: the largest conflicted sets we have.
    it(`for every PDU of ruma's ${c.name} as its own state map`, () => {
      const pdus = loadPduFiles(c).flat();
      const events = new Map(pdus.map((e) => [e.eventId, e]));
      const sets = pdus.map((e) => new Map([[stateKey(e.type, e.stateKey!), e.eventId]]));
      expectOrderIndependent(algorithmOf(c), rulesOf(c), events, sets, 1000 + n);
    });
  }

  // Three forks off START: a ban, a power levels change by the banned user, and a topic.
  for (const [label, room, seed] of [
    ['v1', { rules: V1_AUTH, algorithm: 'v1' }, 1],
    ['v2', { rules: V11_AUTH, algorithm: 'v2' }, 2],
    ['v2.1', { rules: V12_AUTH, algorithm: 'v2.1' }, 3],
  ] as Array<[string, RoomVersion, number]>) {
    it(`for three conflicting forks under state res ${label}`, () => {
      const users = room.rules.privilegedCreators ? { [BOB]: 50 } : { [ALICE]: 100, [BOB]: 50 };
      const dag = buildDag(
        room,
        [
          powerLevels('PA', ALICE, { users }),
          member('MB', ALICE, BOB, 'ban'),
          powerLevels('PB', BOB, { users, state_default: 40 }),
          topic('TB', BOB),
          topic('TA', ALICE),
        ],
        [
          ['END', 'MB', 'PA', 'START'],
          ['END', 'TB', 'PB', 'PA'],
          ['END', 'TA', 'START'],
        ],
      );
      const forks = ['MB', 'TB', 'TA'].map((n) => dag.stateAfter.get(n)!);
      expectOrderIndependent(room.algorithm, room.rules, dag.events, forks, seed);
    });
  }
});
