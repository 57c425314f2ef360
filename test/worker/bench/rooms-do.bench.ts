// Room Durable Object benchmarks inside workerd (run by bench/rooms-do.ts through
// bench/vitest.rooms-do.config.ts; not part of `npm test`). Each figure is printed as a
// `BENCH {...}` line for the runner to collect. Timings are wall-clock around RPC calls.
import { env, runInDurableObject } from 'cloudflare:test';
import { describe, it } from 'vitest';
import { seedForBenchmark, type SeedOptions } from '../../../durable-objects/room/test-hooks.js';
import { userDeliveryHooks } from '../../../durable-objects/room/user-delivery.js';
import { ROOM_INTERNALS, type Room } from '../../../durable-objects/room/room.js';
import { sendEvents } from '../../../durable-objects/room/write/batch.js';
import type { SendEventInput } from '../../../durable-objects/room/api.js';
import { createRoom, message, type TestRoom } from '../room-helpers.js';

const sizes = { sequential: 500, concurrentClients: 16, concurrentEach: 100, members: 50_000, messages: 200_000, ...JSON.parse((env as unknown as { BENCH_SIZES?: string }).BENCH_SIZES ?? '{}') } as {
  sequential: number;
  concurrentClients: number;
  concurrentEach: number;
  members: number;
  messages: number;
};

/** One figure; `phase` names the PHASE markers whose peak memory the runner adds to the note. */
function report(benchmark: string, figure: string, note = '', phase?: string): void {
  console.log(`BENCH ${JSON.stringify({ benchmark, figure, note, ...(phase ? { phase } : {}) })}`);
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `fn` between `PHASE start/end <name>` markers, with a pause on each side so that the
 * runner (bench/rooms-do.ts) resets and reads the workerd process's peak RSS around it alone.
 */
async function phase<T>(name: string, fn: () => Promise<T>): Promise<T> {
  console.log(`PHASE start ${name}`);
  await pause(200);
  try {
    return await fn();
  } finally {
    await pause(200);
    console.log(`PHASE end ${name}`);
    await pause(200);
  }
}

function summary(samples: number[]): string {
  const s = [...samples].sort((a, b) => a - b);
  const p = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
  return `p50 ${p(0.5).toFixed(2)} ms, p99 ${p(0.99).toFixed(2)} ms`;
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const v = await fn();
  return [v, performance.now() - t0];
}

async function seed(room: TestRoom, opts: SeedOptions) {
  return timed(() => runInDurableObject(room.raw, (instance) => seedForBenchmark(instance as unknown as Room, opts)));
}

describe('room object', () => {
  it('sequential sends', async () => {
    const room = await createRoom('12');
    const samples: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < sizes.sequential; i++) samples.push((await timed(() => message(room, room.creator, `m${i}`)))[1]);
    const total = performance.now() - t0;
    report(`send, sequential (${sizes.sequential} messages)`, `${((sizes.sequential / total) * 1000).toFixed(0)} events/s`, summary(samples));
  });

  it('16 concurrent senders', async () => {
    const room = await createRoom('12');
    const samples: number[] = [];
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: sizes.concurrentClients }, async (_, c) => {
        for (let i = 0; i < sizes.concurrentEach; i++) samples.push((await timed(() => message(room, room.creator, `c${c}-${i}`)))[1]);
      }),
    );
    const total = performance.now() - t0;
    const n = sizes.concurrentClients * sizes.concurrentEach;
    report(`send, ${sizes.concurrentClients} concurrent senders (${n} messages)`, `${((n / total) * 1000).toFixed(0)} events/s`, summary(samples));
  });

  it('sends inside the object (no RPC per send)', async () => {
    // What the object itself can write: the same sends, driven from inside the object, one at
    // a time and in batches of 16 (as coalesced concurrent sends are). Wall clock seen from
    // outside around one call.
    const n = sizes.sequential * 4;
    for (const size of [1, 16]) {
      const room = await createRoom('12');
      const input = (k: number): SendEventInput => ({ sender: room.creator, event: { type: 'm.room.message', content: { msgtype: 'm.text', body: `m${k}` } } });
      const [, ms] = await timed(() =>
        runInDurableObject(room.raw, async (instance) => {
          const internals = (instance as unknown as Room)[ROOM_INTERNALS]();
          for (let k = 0; k < n; k += size) {
            const inputs = Array.from({ length: size }, (_, j) => input(k + j));
            const results = await internals.serial(async () => sendEvents(await internals.writeContext(), internals.store()!, inputs));
            if (!results.every((r) => r.ok)) throw new Error('send failed');
          }
        }),
      );
      report(`send inside the object, ${size === 1 ? 'one at a time' : `batches of ${size}`} (${n} messages)`, `${((n / ms) * 1000).toFixed(0)} events/s`, `${((ms / n) * 1000).toFixed(0)} µs per event`);
    }
  });

  it(`members of a large room`, async () => {
    const room = await createRoom('12');
    // Each seeded join also notifies its user's User object (sync). None of these users has
    // one running, and 50,000 notifications delivered in the background would compete with
    // every later figure, so they are dropped here.
    userDeliveryHooks.mode = 'drop';
    const [seeded, seedMs] = await phase('seed-members', () => seed(room, { members: sizes.members }));
    report(`seed ${sizes.members} joins`, `${(seedMs / 1000).toFixed(1)} s`, `${((seeded.events / seedMs) * 1000).toFixed(0)} joins/s; SQLite ${(seeded.databaseBytes / 2 ** 20).toFixed(1)} MiB`, 'seed-members');
    const [first, firstMs] = await phase('members-first', () => timed(() => room.stub.getMembers({ asUser: room.creator, limit: 1000 })));
    if (!first.ok) throw new Error(first.error);
    report(`/members first page of 1000 (${sizes.members}-member room)`, `${firstMs.toFixed(1)} ms`, '', 'members-first');
    let pages = 0;
    let count = 0;
    let from: string | undefined;
    const [, allMs] = await phase('members-all', () =>
      timed(async () => {
        do {
          const page = await room.stub.getMembers({ asUser: room.creator, limit: 5000, from });
          if (!page.ok) throw new Error(page.error);
          pages++;
          count += page.chunk.length;
          from = page.next;
        } while (from);
      }),
    );
    report(`/members all ${count} (pages of 5000)`, `${allMs.toFixed(0)} ms`, `${pages} RPC pages`, 'members-all');
    from = undefined;
    let stateCount = 0;
    const [, stateMs] = await phase('state-all', () =>
      timed(async () => {
        do {
          const page = await room.stub.getCurrentState({ asUser: room.creator, limit: 5000, from });
          if (!page.ok) throw new Error(page.error);
          stateCount += page.events.length;
          from = page.next;
        } while (from);
      }),
    );
    report(`/state all ${stateCount} events (pages of 5000)`, `${stateMs.toFixed(0)} ms`, '', 'state-all');
    const [, joinedMs] = await timed(async () => {
      let f: string | undefined;
      do {
        const page = await room.stub.getJoinedMembers({ asUser: room.creator, limit: 10000, from: f });
        if (!page.ok) throw new Error(page.error);
        f = page.next;
      } while (f);
    });
    report(`/joined_members (${sizes.members} members, pages of 10000)`, `${joinedMs.toFixed(0)} ms`);
    // The state before an early event: a lookup through the state groups, then a page of it.
    const early = await room.stub.getMessages({ dir: 'f', limit: 50 });
    if (!early.ok) throw new Error(early.error);
    const probe = early.chunk[early.chunk.length - 1]!.event_id;
    const [, atMs] = await timed(() => room.stub.getStateAt({ eventId: probe, limit: 1000 }));
    report('state at an early event (page of 1000)', `${atMs.toFixed(1)} ms`);
    const last = await room.stub.getMessages({ dir: 'b', limit: 1 });
    if (!last.ok) throw new Error(last.error);
    const [, lateMs] = await timed(() => room.stub.getStateAt({ eventId: last.chunk[0]!.event_id, limit: 1000 }));
    report(`state at the last join (page of 1000 of ${stateCount})`, `${lateMs.toFixed(1)} ms`);
    userDeliveryHooks.mode = 'normal';
  });

  it('messages in a large room', async () => {
    const room = await createRoom('12');
    const [seeded, seedMs] = await phase('seed-messages', () => seed(room, { messages: sizes.messages }));
    report(`seed ${sizes.messages} messages`, `${(seedMs / 1000).toFixed(1)} s`, `${((seeded.events / seedMs) * 1000).toFixed(0)} events/s; SQLite ${(seeded.databaseBytes / 2 ** 20).toFixed(1)} MiB`, 'seed-messages');
    const samples: number[] = [];
    let from: string | undefined;
    await phase('messages-back', async () => {
      for (let i = 0; i < 20; i++) {
        const [page, ms] = await timed(() => room.stub.getMessages({ dir: 'b', limit: 100, from, asUser: room.creator }));
        if (!page.ok) throw new Error(page.error);
        samples.push(ms);
        from = page.end;
      }
    });
    report(`/messages 100 back (${sizes.messages}-event room, 20 pages)`, summary(samples.slice(1)), `first (cold) page ${samples[0]!.toFixed(0)} ms`, 'messages-back');
    const deep: number[] = [];
    for (let i = 0; i < 10; i++) {
      const at = `t${Math.floor(sizes.messages / 2) + i * 1000}-${Math.floor(sizes.messages / 2) + i * 1000}`;
      deep.push((await timed(() => room.stub.getMessages({ dir: 'b', limit: 100, from: at, asUser: room.creator })))[1]);
    }
    report('/messages 100 back from the middle of the room', summary(deep));
    const [ctx, ctxMs] = await timed(async () => {
      const mid = await room.stub.timestampToEvent({ ts: Date.now() - 1, dir: 'b', asUser: room.creator });
      return mid;
    });
    report('/timestamp_to_event', `${ctxMs.toFixed(1)} ms`, ctx.ok ? '' : ctx.error);
    const sends: number[] = [];
    for (let i = 0; i < 50; i++) sends.push((await timed(() => message(room, room.creator, `more ${i}`)))[1]);
    report(`send into a ${sizes.messages}-event room (50 sequential)`, summary(sends));
  });
});
