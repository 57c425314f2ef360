// In-process hooks for tests and benchmarks. Not RPC methods: they are reached only from
// code running inside the object (`runInDurableObject(stub, (room) => seedForBenchmark(room,
// ...))` in workerd tests), so no Worker route can call them.
import { ROOM_INTERNALS, type Room } from './room.js';
import { maxStream } from './store/events.js';
import { commit } from './write/local.js';
import { Planner, type PlannedEvent } from './write/plan.js';
import { signPlanned } from './write/sign.js';
import type { LocalEvent } from './api.js';

export interface SeedOptions {
  /** Local users `@seed<i>:<server>` who join (the room must be public). */
  members?: number;
  /** Text messages, sent round-robin by the first 100 seeded members (or the creator). */
  messages?: number;
  /** Events per transaction. Default 500. */
  batch?: number;
}

export interface SeedResult {
  events: number;
  ms: number;
  databaseBytes: number;
}

/**
 * Bulk test data through the real write path (planned, auth-checked, signed, stored with
 * state groups and members), batched: each batch is planned in memory, signed, and
 * committed in one transaction.
 */
export async function seedForBenchmark(room: Room, opts: SeedOptions): Promise<SeedResult> {
  const internals = room[ROOM_INTERNALS]();
  const store = internals.store();
  if (!store) throw new Error('seedForBenchmark: the room does not exist');
  const t0 = performance.now();
  const batch = opts.batch ?? 500;
  const ctx0 = await internals.writeContext();
  const server = ctx0.origin;
  const members = opts.members ?? 0;
  const senders = members > 0 ? Math.min(100, members) : 0;
  const templates = function* (): Generator<LocalEvent> {
    for (let i = 0; i < members; i++) {
      const user = `@seed${i}:${server}`;
      yield { sender: user, event: { type: 'm.room.member', stateKey: user, content: { membership: 'join', displayname: `Seed ${i}` } } };
    }
    for (let i = 0; i < (opts.messages ?? 0); i++) {
      const sender = senders > 0 ? `@seed${i % senders}:${server}` : store.meta.creator;
      yield { sender, event: { type: 'm.room.message', content: { msgtype: 'm.text', body: `message ${i}` } } };
    }
  };
  let events = 0;
  const it = templates();
  let done = false;
  while (!done) {
    await internals.serial(async () => {
      const ctx = await internals.writeContext();
      const planner = new Planner({ store, origin: ctx.origin, now: ctx.now, randomLocalpart: ctx.randomLocalpart });
      const planned: PlannedEvent[] = [];
      for (let i = 0; i < batch; i++) {
        const next = it.next();
        if (next.done) {
          done = true;
          break;
        }
        const r = planner.plan(next.value);
        if (!r.ok) throw new Error(`seed: ${r.errcode} ${r.error}`);
        planned.push(r.planned);
      }
      if (planned.length === 0) return;
      const signed = await signPlanned(planned, ctx.signer, ctx.origin, store.version);
      if (!Array.isArray(signed)) throw new Error(`seed: ${signed.error}`);
      const committed = commit(ctx, store, signed, maxStream(ctx.sql));
      if (committed === 'stale' || 'ok' in committed) throw new Error('seed: commit failed');
      events += signed.length;
    });
  }
  // Leave no delivery running in the background to compete with what is measured next.
  await Promise.all([internals.flushOutbox(), internals.flushUserOutbox()]);
  return { events, ms: performance.now() - t0, databaseBytes: internals.databaseBytes() };
}
