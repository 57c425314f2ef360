// ruma's state resolution snapshot tests (../shared/test-fixtures/ruma-state-res), run
// through our resolver and the real authorisation rules, in ruma's three modes: atomic
// (every PDU its own state map, one call), batched (one call per file, carrying the result
// forward) and iterative (walking prev_events as a server does).

import { describe, expect, it } from 'vitest';
import { checkAuth } from '../../../src/core/auth/check-auth.js';
import type { AuthEvent, StateKey } from '../../../src/core/events/types.js';
import { splitStateKey, stateKey } from '../../../src/core/events/types.js';
import { resolveState, type ResolveStateInput } from '../../../src/core/state-res/index.js';
import { RUMA_CASES, algorithmOf, loadPduFiles, readFixture, rulesOf, type RumaCase as Case } from './ruma-loader.js';

type State = Map<StateKey, string>;
const keyOf = (e: AuthEvent): StateKey => stateKey(e.type, e.stateKey!);

function harness(c: Case) {
  const files = loadPduFiles(c);
  const events = new Map(files.flat().map((e) => [e.eventId, e]));
  const resolve = (stateSets: State[], precomputed: Pick<ResolveStateInput, 'authChainSets' | 'authChainOf'> = {}) =>
    resolveState({
      algorithm: algorithmOf(c),
      rules: rulesOf(c),
      stateSets,
      getEvent: (id) => events.get(id),
      checkAuth,
      ...precomputed,
    });
  return { files, events, resolve };
}

/** An event's auth chain by its own depth-first walk, as ruma's harness computes it. */
function authEventsDfs(events: ReadonlyMap<string, AuthEvent>, event: AuthEvent): Set<string> {
  const out = new Set<string>();
  const stack = [...event.authEvents];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (out.has(id)) continue;
    out.add(id);
    stack.push(...events.get(id)!.authEvents);
  }
  return out;
}

const single = (e: AuthEvent): State => new Map([[keyOf(e), e.eventId]]);

function atomic(c: Case): State {
  const { files, resolve } = harness(c);
  return resolve(files.flat().map(single));
}

function atomicWithPrecomputedChains(c: Case): State {
  const { files, events, resolve } = harness(c);
  const pdus = files.flat();
  const chains = new Map(pdus.map((e) => [e.eventId, authEventsDfs(events, e)]));
  const authChainSets = pdus.map((e) => chains.get(e.eventId)!);
  const viaSets = resolve(pdus.map(single), { authChainSets });
  const viaEvents = resolve(pdus.map(single), { authChainOf: (id) => chains.get(id) });
  expect(viaEvents).toEqual(viaSets);
  return viaSets;
}

function batched(c: Case): State {
  const { files, resolve } = harness(c);
  let state: State | undefined;
  for (const file of files) state = resolve([...(state ? [state] : []), ...file.map(single)]);
  return state!;
}

function iterative(c: Case): State {
  const { files, resolve } = harness(c);
  const all = files.flat();
  const after = new Map<string, State>();
  const cited = new Set(all.flatMap((e) => e.prevEvents));
  // Process each event once all its prev events have their state (the fixture order is a
  // valid one, but do not rely on it).
  const pending = [...all];
  for (let guard = 0; pending.length > 0 && guard <= all.length; guard++) {
    for (let i = 0; i < pending.length; i++) {
      const event = pending[i]!;
      if (!event.prevEvents.every((p) => after.has(p))) continue;
      const before = resolve(event.prevEvents.map((p) => after.get(p)!));
      const proposed = new Map(before).set(keyOf(event), event.eventId);
      after.set(event.eventId, resolve([before, proposed]));
      pending.splice(i--, 1);
    }
  }
  expect(pending).toEqual([]);
  return resolve(all.filter((e) => !cited.has(e.eventId)).map((e) => after.get(e.eventId)!));
}

function stateMaps(c: Case): State {
  const { events, resolve } = harness(c);
  return resolve(
    c.state_map_files!.map((f) => new Map(readFixture<string[]>(f).map((id) => [keyOf(events.get(id)!), id]))),
  );
}

const asTriples = (state: State) =>
  [...state].map(([k, id]) => [...splitStateKey(k), id]).sort((a, b) => (a.join('\u0000') < b.join('\u0000') ? -1 : 1));

describe('ruma state resolution fixtures', () => {
  for (const c of RUMA_CASES) {
    const expected = [...c.expected_state].sort((a, b) => (a.join('\u0000') < b.join('\u0000') ? -1 : 1));
    if (c.harness === 'snapshot_test_state_maps') {
      it(`${c.name}: ${c.description}`, () => {
        expect(asTriples(stateMaps(c))).toEqual(expected);
      });
      continue;
    }
    describe(`${c.name}: ${c.description}`, () => {
      it('resolves every PDU as its own state map at once (atomic)', () => {
        expect(asTriples(atomic(c))).toEqual(expected);
      });
      it('gives the same result from precomputed auth chains (authChainSets, authChainOf)', () => {
        expect(asTriples(atomicWithPrecomputedChains(c))).toEqual(expected);
      });
      it('resolves file by file, carrying the result forward (batched)', () => {
        expect(asTriples(batched(c))).toEqual(expected);
      });
      it('resolves event by event along prev_events, then the leaves (iterative)', () => {
        expect(asTriples(iterative(c))).toEqual(expected);
      });
    });
  }
});
