// Room send benchmarks over real HTTP against a running Cirrus (wrangler dev):
// `PUT /rooms/{roomId}/send/m.room.message/{txnId}` into one room, sequentially, from 16
// concurrent senders, and paced at the issue's target rate (1,000 events/s for a few
// seconds: the p99 must stay under 50 ms). Figures are printed, never asserted.
//
//   npx tsx bench/rooms.ts http://localhost:8008 [floor base URL]
//
// bench/run.ts calls `benchRooms(server.baseUrl, {}, floor.baseUrl)` (bench/floor.ts). Needs open registration (as `npm start`
// and the bench servers have).
import http from 'node:http';
import { latencySummary, ms, printTable, type Row } from './support.js';

const CS = '/_matrix/client/v3';
/** The issue's target: 1,000 events/s sustained into one room locally, p99 under 50 ms. */
const TARGET_RATE = 1000;
const TARGET_P99_MS = 50;
/** The paced run's cap on requests in flight (beyond it, requests wait and count as late). */
const MAX_IN_FLIGHT = 64;

const agent = new http.Agent({ keepAlive: true, maxSockets: MAX_IN_FLIGHT });

export interface RoomsBenchSizes {
  sequential: number;
  concurrentSenders: number;
  concurrentEach: number;
  /** Seconds of paced sending at TARGET_RATE. */
  pacedSeconds: number;
}

const DEFAULT_SIZES: RoomsBenchSizes = { sequential: 500, concurrentSenders: 16, concurrentEach: 100, pacedSeconds: 5 };

/**
 * One JSON request over a keep-alive node:http agent: on a small machine the client shares
 * the CPU with wrangler and workerd, and undici's fetch costs it several times more per request.
 */
function call(base: string, method: string, path: string, token: string | undefined, body?: unknown): Promise<Record<string, any>> {
  const url = new URL(path, base);
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method,
        agent,
        headers: {
          'Content-Type': 'application/json',
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
          ...(data !== undefined ? { 'Content-Length': Buffer.byteLength(data) } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          if ((res.statusCode ?? 0) >= 300) reject(new Error(`${method} ${path}: ${res.statusCode} ${text}`));
          else resolve(JSON.parse(text) as Record<string, any>);
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

async function register(base: string, tag: string): Promise<string> {
  const username = `roombench_${tag}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
  const body = await call(base, 'POST', `${CS}/register`, undefined, { username, password: `pw-${Math.random()}`, auth: { type: 'm.login.dummy' } });
  return body.access_token as string;
}

let txnCounter = 0;

/** One send; resolves to its latency in milliseconds. */
async function send(base: string, token: string, roomId: string, body: string): Promise<number> {
  const path = `${CS}/rooms/${encodeURIComponent(roomId)}/send/m.room.message/b${++txnCounter}.${Date.now()}`;
  const t0 = performance.now();
  await call(base, 'PUT', path, token, { msgtype: 'm.text', body });
  return performance.now() - t0;
}

const rate = (n: number, totalMs: number) => `${((n / totalMs) * 1000).toFixed(0)} events/s`;
const latencies = (samples: number[]) => {
  const s = latencySummary(samples);
  return `p50 ${ms(s.p50)}, p99 ${ms(s.p99)}`;
};

/**
 * An open loop: requests due at TARGET_RATE whatever the answers, at most MAX_IN_FLIGHT at
 * once. Latency counts from when a request was due, so a server that falls behind shows it in
 * the p99 (no coordinated omission). The target is met if the server keeps up and the p99
 * stays under 50 ms.
 */
async function paced(label: string, seconds: number, request: (i: number) => Promise<unknown>): Promise<Row> {
  const total = Math.round(TARGET_RATE * seconds);
  const samples: number[] = [];
  let failures = 0;
  let inFlight = 0;
  let slotFreed: (() => void) | undefined;
  const pending: Promise<void>[] = [];
  const t0 = performance.now();
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / TARGET_RATE;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    while (inFlight >= MAX_IN_FLIGHT) await new Promise<void>((r) => (slotFreed = r));
    inFlight++;
    pending.push(
      request(i)
        .then(
          () => void samples.push(performance.now() - due),
          () => void failures++,
        )
        .finally(() => {
          inFlight--;
          slotFreed?.();
        }),
    );
  }
  await Promise.all(pending);
  const p = latencySummary(samples);
  const achieved = (samples.length / (performance.now() - t0)) * 1000;
  const met = failures === 0 && achieved >= TARGET_RATE * 0.98 && p.p99 < TARGET_P99_MS;
  return {
    benchmark: `${label} (${total} requests)`,
    figure: `${achieved.toFixed(0)}/s, p99 ${ms(p.p99)}`,
    note: `p50 ${ms(p.p50)}${failures ? `, ${failures} failed` : ''}; ${TARGET_RATE}/s with p99 < ${TARGET_P99_MS} ms: ${met ? 'MET' : 'NOT MET'}`,
  };
}

/** Requests/s and latencies with `senders` clients each keeping one request in flight, `each` times. */
async function concurrentRate(senders: number, each: number, request: (sender: number, i: number) => Promise<unknown>): Promise<[number, number[]]> {
  const samples: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: senders }, async (_, s) => {
      for (let i = 0; i < each; i++) {
        const t = performance.now();
        await request(s, i);
        samples.push(performance.now() - t);
      }
    }),
  );
  return [(senders * each * 1000) / (performance.now() - t0), samples];
}

/** The same measurements against bench/floor/worker.ts: the most any Worker of this shape gets here. */
async function benchFloor(floorBase: string, n: RoomsBenchSizes): Promise<Row[]> {
  const rows: Row[] = [];
  let body = 0;
  const shapes: [string, string, () => Promise<unknown>][] = [
    ['plain response', 'GET /plain', () => call(floorBase, 'GET', '/plain', undefined)],
    ['one Durable Object RPC', 'GET /do', () => call(floorBase, 'GET', '/do', undefined)],
    ['one D1 read', 'GET /d1', () => call(floorBase, 'GET', '/d1', undefined)],
    ['one D1 read + one DO RPC writing a SQLite row (a send\'s I/O)', 'PUT /d1-do', () => call(floorBase, 'PUT', '/d1-do', undefined, { n: ++body })],
  ];
  for (const [, , request] of shapes) await request(); // warm up
  for (const [what, , request] of shapes) {
    const [reqRate, samples] = await concurrentRate(n.concurrentSenders, n.concurrentEach, request);
    rows.push({ benchmark: `platform floor: ${what}, ${n.concurrentSenders} concurrent`, figure: `${reqRate.toFixed(0)} requests/s`, note: latencies(samples) });
  }
  const sendShape = shapes[3]![2];
  rows.push(await paced(`platform floor: ${shapes[3]![1]} paced at ${TARGET_RATE}/s for ${n.pacedSeconds} s`, n.pacedSeconds, sendShape));
  return rows;
}

export async function benchRooms(base: string, sizes: Partial<RoomsBenchSizes> = {}, floorBase?: string): Promise<Row[]> {
  const n = { ...DEFAULT_SIZES, ...sizes };
  const rows: Row[] = [];
  const owner = await register(base, 'owner');
  const { room_id: roomId } = await call(base, 'POST', `${CS}/createRoom`, owner, { preset: 'public_chat' });
  const senders = [owner];
  for (let i = 1; i < n.concurrentSenders; i++) {
    const token = await register(base, `s${i}`);
    await call(base, 'POST', `${CS}/join/${encodeURIComponent(roomId)}`, token, {});
    senders.push(token);
  }
  // Warm up the isolate, the room object and the connection pool.
  await Promise.all(senders.map((t, i) => send(base, t, roomId, `warm-up ${i}`)));
  for (let i = 0; i < 50; i++) await send(base, owner, roomId, `warm-up ${i}`);

  // Sequential: one client, one request at a time.
  const seq: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < n.sequential; i++) seq.push(await send(base, owner, roomId, `sequential ${i}`));
  const seqTotal = performance.now() - t0;
  rows.push({ benchmark: `PUT /send, sequential (${n.sequential} messages, one room)`, figure: rate(n.sequential, seqTotal), note: latencies(seq) });

  // Concurrent: each sender keeps one request in flight.
  const [concRate, conc] = await concurrentRate(senders.length, n.concurrentEach, (s, i) =>
    send(base, senders[s]!, roomId, `concurrent ${s}-${i}`),
  );
  rows.push({
    benchmark: `PUT /send, ${senders.length} concurrent senders (${senders.length * n.concurrentEach} messages, one room)`,
    figure: `${concRate.toFixed(0)} events/s`,
    note: latencies(conc),
  });

  // The same concurrency without a write, for comparison.
  const compare = async (label: string, path: string, token?: string) => {
    const [reqRate] = await concurrentRate(senders.length, n.concurrentEach, () => call(base, 'GET', path, token));
    rows.push({ benchmark: `for comparison: ${label}, ${senders.length} concurrent`, figure: `${reqRate.toFixed(0)} requests/s`, note: 'no write' });
  };
  await compare('GET /versions (no token, no room)', '/_matrix/client/versions');
  await compare('GET /rooms/{roomId}/state/m.room.create (token check + one room call)', `${CS}/rooms/${encodeURIComponent(roomId)}/state/m.room.create/`, owner);

  rows.push(await paced(`PUT /send paced at ${TARGET_RATE}/s for ${n.pacedSeconds} s`, n.pacedSeconds, (i) =>
    send(base, senders[i % senders.length]!, roomId, `paced ${i}`),
  ));

  if (floorBase) rows.push(...(await benchFloor(floorBase, n)));
  return rows;
}

if (process.argv[1]?.endsWith('rooms.ts')) {
  const base = process.argv[2] ?? 'http://localhost:8008';
  printTable('Rooms (HTTP)', await benchRooms(base, {}, process.argv[3]));
}
