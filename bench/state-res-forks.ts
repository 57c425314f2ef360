// Pure state resolution benchmark: two forks of one room with N conflicted state entries,
// resolved by src/core/state-res in Node. Two shapes: N ordinary state events set differently
// on each side, and N members whose display name changes on one side while the admin kicks
// them on the other (N power events). Time and memory via process.memoryUsage.
import { checkAuth } from '../src/core/auth/index.js';
import { stateKey, type AuthEvent, type StateKey } from '../src/core/events/types.js';
import { getRoomVersion } from '../src/core/room-versions.js';
import { resolveState } from '../src/core/state-res/index.js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ForkCase {
  events: Map<string, AuthEvent>;
  stateSets: Map<StateKey, string>[];
}

const ALICE = '@alice:example.org';

export function buildForks(versionId: string, n: number, shape: 'state' | 'members'): ForkCase {
  const version = getRoomVersion(versionId)!;
  const v12 = version.auth.roomIdIsCreateEventId;
  const createId = '$CREATE';
  const roomId = v12 ? '!CREATE' : '!room:example.org';
  const events = new Map<string, AuthEvent>();
  let ts = 1;
  const add = (e: Omit<AuthEvent, 'roomId' | 'originServerTs' | 'prevEvents' | 'depth'> & { depth?: number }): string => {
    events.set(e.eventId, { roomId, originServerTs: ts++, prevEvents: [], depth: e.depth ?? ts, ...e });
    return e.eventId;
  };
  const auth = (...ids: string[]) => (v12 ? ids.filter((id) => id !== createId) : ids);
  add({ eventId: createId, sender: ALICE, type: 'm.room.create', stateKey: '', content: { creator: ALICE, room_version: versionId }, authEvents: [] });
  const aj = add({ eventId: '$AJ', sender: ALICE, type: 'm.room.member', stateKey: ALICE, content: { membership: 'join' }, authEvents: auth(createId) });
  const pl = add({
    eventId: '$PL',
    sender: ALICE,
    type: 'm.room.power_levels',
    stateKey: '',
    content: { users: v12 ? {} : { [ALICE]: 100 }, users_default: 0, state_default: 50, kick: 50 },
    authEvents: auth(createId, aj),
  });
  const jr = add({ eventId: '$JR', sender: ALICE, type: 'm.room.join_rules', stateKey: '', content: { join_rule: 'public' }, authEvents: auth(createId, pl, aj) });
  const base = new Map<StateKey, string>([
    [stateKey('m.room.create', ''), createId],
    [stateKey('m.room.member', ALICE), aj],
    [stateKey('m.room.power_levels', ''), pl],
    [stateKey('m.room.join_rules', ''), jr],
  ]);
  const a = new Map(base);
  const b = new Map(base);
  for (let i = 0; i < n; i++) {
    if (shape === 'state') {
      const k = `k${i}`;
      a.set(stateKey('org.example.s', k), add({ eventId: `$A${i}`, sender: ALICE, type: 'org.example.s', stateKey: k, content: { v: 'A' }, authEvents: auth(createId, pl, aj) }));
      b.set(stateKey('org.example.s', k), add({ eventId: `$B${i}`, sender: ALICE, type: 'org.example.s', stateKey: k, content: { v: 'B' }, authEvents: auth(createId, pl, aj) }));
    } else {
      const user = `@u${i}:example.org`;
      const join = add({ eventId: `$J${i}`, sender: user, type: 'm.room.member', stateKey: user, content: { membership: 'join' }, authEvents: auth(createId, pl, jr) });
      base.set(stateKey('m.room.member', user), join);
      a.set(stateKey('m.room.member', user), add({ eventId: `$N${i}`, sender: user, type: 'm.room.member', stateKey: user, content: { membership: 'join', displayname: `u${i}` }, authEvents: auth(createId, pl, jr, join) }));
      b.set(stateKey('m.room.member', user), add({ eventId: `$K${i}`, sender: ALICE, type: 'm.room.member', stateKey: user, content: { membership: 'leave' }, authEvents: auth(createId, pl, aj, join) }));
    }
  }
  return { events, stateSets: [a, b] };
}

export interface ForkFigures {
  ms: number;
  heapDeltaMb: number;
  /** Growth of the process's peak RSS (getrusage maxrss) during the call: a true peak. */
  peakRssDeltaMb: number;
  resolvedSize: number;
}

export function resolveForks(versionId: string, c: ForkCase): ForkFigures {
  const version = getRoomVersion(versionId)!;
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage();
  const peakBefore = process.resourceUsage().maxRSS;
  const t0 = performance.now();
  const resolved = resolveState({
    algorithm: version.stateResolution,
    rules: version.auth,
    stateSets: c.stateSets,
    getEvent: (id) => c.events.get(id),
    checkAuth: (rules, event, lookup) => checkAuth(rules, event, lookup),
  });
  const ms = performance.now() - t0;
  const after = process.memoryUsage();
  return {
    ms,
    heapDeltaMb: (after.heapUsed - before.heapUsed) / 2 ** 20,
    peakRssDeltaMb: (process.resourceUsage().maxRSS - peakBefore) / 1024,
    resolvedSize: resolved.size,
  };
}

// `tsx --expose-gc bench/state-res-forks.ts <version> <n> <state|members>`: one case in a
// fresh process, so that its peak RSS is its own. Prints the figures as JSON.
if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const [version = '12', n = '1000', shape = 'state'] = process.argv.slice(2);
  console.log(JSON.stringify(resolveForks(version, buildForks(version, Number(n), shape as 'state' | 'members'))));
}
