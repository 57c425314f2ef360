// Sync benchmarks over real HTTP against a running Cirrus (wrangler dev). Figures are printed,
// never asserted.
//
// - wake-up latency: from a `PUT /send` returning to the other user's waiting `/sync`
//   returning (p50/p99 over 500 messages);
// - initial sync of a user in 500 rooms with 20 messages each, timeline limit 10: time,
//   response size, and the workerd process's peak RSS while it runs;
// - incremental sync when one room changed, for a user in 500 rooms and one in 5 rooms (the
//   cost must not grow with the number of quiet rooms).
//
//   npx tsx bench/sync.ts http://localhost:8008
//
// bench/run.ts calls `benchSync(server.baseUrl)`. Needs open registration.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { latencySummary, ms, printTable, type Row } from './support.js';

const CS = '/_matrix/client/v3';

export interface SyncBenchSizes {
  wakeMessages: number;
  rooms: number;
  messagesPerRoom: number;
  incrementalRounds: number;
}

const DEFAULT_SIZES: SyncBenchSizes = { wakeMessages: 500, rooms: 500, messagesPerRoom: 20, incrementalRounds: 50 };

async function call(base: string, method: string, path: string, token?: string, body?: unknown): Promise<any> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

async function register(base: string, tag: string): Promise<{ token: string; userId: string }> {
  const username = `syncbench_${tag}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
  const body = await call(base, 'POST', `${CS}/register`, undefined, { username, password: `pw-${Math.random()}`, auth: { type: 'm.login.dummy' } });
  return { token: body.access_token, userId: body.user_id };
}

let txn = 0;
const send = (base: string, token: string, roomId: string, body: string) =>
  call(base, 'PUT', `${CS}/rooms/${encodeURIComponent(roomId)}/send/m.room.message/sb${++txn}.${Date.now()}`, token, { msgtype: 'm.text', body });

const sync = (base: string, token: string, query: string) => call(base, 'GET', `${CS}/sync?set_presence=offline&${query}`, token);

async function inParallel<T>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i]!, i);
      }
    }),
  );
}

const sleep = (msDelay: number) => new Promise((r) => setTimeout(r, msDelay));

/**
 * The workerd processes of the server on `port`: the one listening there, and the others of
 * its process group (wrangler dev runs the Worker in a second workerd behind a proxy).
 */
function workerdPids(port: number): number[] {
  try {
    const out = execFileSync('ss', ['-ltnpH', `sport = :${port}`]).toString();
    const listener = [...out.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1]))[0];
    if (listener === undefined) return [];
    const pgid = readFileSync(`/proc/${listener}/stat`, 'utf8').split(') ')[1]!.split(' ')[2];
    const ps = execFileSync('ps', ['-eo', 'pid,pgid,comm', '--no-headers']).toString();
    return ps
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter(([, g, comm]) => g === pgid && comm === 'workerd')
      .map(([pid]) => Number(pid));
  } catch {
    return [];
  }
}

/** Resident memory of the processes together, in MiB. */
function rssMb(pids: readonly number[]): number {
  let kb = 0;
  for (const pid of pids) kb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return kb / 1024;
}

/** Runs `fn` while sampling the process's RSS every 5 ms. */
async function withPeakRss<T>(pid: number[], fn: () => Promise<T>): Promise<{ value: T; baseMb?: number; peakMb?: number }> {
  if (pid.length === 0) return { value: await fn() };
  const baseMb = rssMb(pid);
  let peakMb = baseMb;
  const timer = setInterval(() => {
    try {
      peakMb = Math.max(peakMb, rssMb(pid));
    } catch {
      // process gone
    }
  }, 5);
  try {
    const value = await fn();
    peakMb = Math.max(peakMb, rssMb(pid));
    return { value, baseMb, peakMb };
  } finally {
    clearInterval(timer);
  }
}

async function wakeLatency(base: string, n: number): Promise<Row[]> {
  const alice = await register(base, 'wa');
  const bob = await register(base, 'wb');
  const { room_id: roomId } = await call(base, 'POST', `${CS}/createRoom`, alice.token, { preset: 'private_chat', invite: [bob.userId] });
  await call(base, 'POST', `${CS}/join/${encodeURIComponent(roomId)}`, bob.token, {});
  let since = (await sync(base, bob.token, 'timeout=0')).next_batch as string;
  for (let i = 0; i < 20; i++) await send(base, alice.token, roomId, `warm-up ${i}`);
  since = (await sync(base, bob.token, `since=${since}&timeout=0`)).next_batch;

  const fromPut: number[] = [];
  const fromStart: number[] = [];
  let early = 0;
  for (let i = 0; i < n; i++) {
    let syncDone = 0;
    const waiting = sync(base, bob.token, `since=${since}&timeout=30000`).then((b) => {
      syncDone = performance.now();
      return b;
    });
    // Give the request time to park in the User object before the send.
    await sleep(3);
    const t0 = performance.now();
    await send(base, alice.token, roomId, `m${i}`);
    const putDone = performance.now();
    const body = await waiting;
    since = body.next_batch;
    const events = body.rooms?.join?.[roomId]?.timeline?.events ?? [];
    if (!events.some((e: any) => e.content?.body === `m${i}`)) {
      // Woken by something else: collect the message and skip the sample.
      since = (await sync(base, bob.token, `since=${since}&timeout=5000`)).next_batch;
      continue;
    }
    if (syncDone < putDone) early++;
    fromPut.push(Math.max(0, syncDone - putDone));
    fromStart.push(syncDone - t0);
  }
  const a = latencySummary(fromPut);
  const b = latencySummary(fromStart);
  return [
    {
      benchmark: `wake-up: PUT /send returned -> waiting /sync returned (${fromPut.length} messages)`,
      figure: `p50 ${ms(a.p50)}, p99 ${ms(a.p99)}`,
      note: `target p50 < 10 ms, p99 < 50 ms; ${early} syncs returned before the PUT did (counted as 0)`,
    },
    { benchmark: 'wake-up: PUT /send started -> waiting /sync returned', figure: `p50 ${ms(b.p50)}, p99 ${ms(b.p99)}`, note: 'includes the send itself' },
  ];
}

/** A user in `rooms` rooms of `messages` messages each (created over HTTP, `concurrency` at a time). */
async function populate(base: string, tag: string, rooms: number, messages: number): Promise<{ token: string; roomIds: string[] }> {
  const user = await register(base, tag);
  const roomIds: string[] = new Array(rooms);
  await inParallel(Array.from({ length: rooms }, (_, i) => i), 8, async (i) => {
    roomIds[i] = (await call(base, 'POST', `${CS}/createRoom`, user.token, { preset: 'private_chat', name: `room ${i}` })).room_id;
  });
  const sends = roomIds.flatMap((roomId) => Array.from({ length: messages }, (_, m) => ({ roomId, m })));
  await inParallel(sends, 16, async ({ roomId, m }) => {
    await send(base, user.token, roomId, `message ${m}`);
  });
  return { token: user.token, roomIds };
}

async function incremental(base: string, token: string, roomId: string, rounds: number): Promise<number[]> {
  let since = (await sync(base, token, 'timeout=0&filter={"room":{"timeline":{"limit":10}}}')).next_batch as string;
  // The first incremental sync after an initial one takes the rooms' lease in the background
  // (one call per room); let it finish, as it would long before a real client's next sync.
  since = (await sync(base, token, `since=${since}&timeout=0`)).next_batch;
  await sleep(3000);
  since = (await sync(base, token, `since=${since}&timeout=0`)).next_batch;
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    await send(base, token, roomId, `incremental ${i}`);
    // Let the notice reach the User object, so the timed sync is the read alone.
    await sleep(10);
    const t0 = performance.now();
    const body = await sync(base, token, `since=${since}&timeout=0`);
    samples.push(performance.now() - t0);
    since = body.next_batch;
  }
  return samples;
}

export async function benchSync(base: string, sizes: Partial<SyncBenchSizes> = {}): Promise<Row[]> {
  const n = { ...DEFAULT_SIZES, ...sizes };
  const rows: Row[] = [];
  rows.push(...(await wakeLatency(base, n.wakeMessages)));

  const setup0 = performance.now();
  const big = await populate(base, 'big', n.rooms, n.messagesPerRoom);
  const setupMs = performance.now() - setup0;
  const small = await populate(base, 'small', 5, n.messagesPerRoom);
  // Let the setup's background work (outbox deliveries of 10,000 sends) settle first.
  await sleep(5000);
  const filter = encodeURIComponent(JSON.stringify({ room: { timeline: { limit: 10 } } }));
  const pid = workerdPids(Number(new URL(base).port || 80));
  // The first initial sync also registers the user with every room (its lease).
  const first = await withPeakRss(pid, async () => {
    const t0 = performance.now();
    const res = await fetch(`${base}${CS}/sync?set_presence=offline&filter=${filter}`, { headers: { Authorization: `Bearer ${big.token}` } });
    const text = await res.text();
    return { ms: performance.now() - t0, bytes: text.length, rooms: Object.keys(JSON.parse(text).rooms.join).length };
  });
  const again: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    await sync(base, big.token, `filter=${filter}`);
    again.push(performance.now() - t0);
  }
  const mem =
    first.peakMb === undefined ? 'RSS not measured (no /proc or ss)' : `workerd RSS ${first.baseMb!.toFixed(0)} MB before, peak ${first.peakMb.toFixed(0)} MB (+${(first.peakMb - first.baseMb!).toFixed(0)} MB)`;
  rows.push({
    benchmark: `initial sync, ${n.rooms} rooms x ${n.messagesPerRoom} messages, timeline limit 10`,
    figure: `${ms(first.value.ms)} first, ${ms(latencySummary(again).p50)} p50 of 5 more`,
    note: `${first.value.rooms} rooms, ${(first.value.bytes / 1024 / 1024).toFixed(1)} MB of JSON; ${mem}; target < 2 s; setup ${(setupMs / 1000).toFixed(0)} s`,
  });

  const bigInc = latencySummary(await incremental(base, big.token, big.roomIds[0]!, n.incrementalRounds));
  const smallInc = latencySummary(await incremental(base, small.token, small.roomIds[0]!, n.incrementalRounds));
  rows.push({
    benchmark: `incremental sync, one room changed, user in ${n.rooms} rooms`,
    figure: `p50 ${ms(bigInc.p50)}, p99 ${ms(bigInc.p99)}`,
    note: `${n.incrementalRounds} rounds`,
  });
  rows.push({
    benchmark: 'incremental sync, one room changed, user in 5 rooms',
    figure: `p50 ${ms(smallInc.p50)}, p99 ${ms(smallInc.p99)}`,
    note: 'the same with 495 fewer quiet rooms',
  });
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printTable('Sync', await benchSync(process.argv[2] ?? 'http://localhost:8008'));
}
