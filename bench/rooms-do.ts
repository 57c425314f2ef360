// Room Durable Object benchmarks: `tsx bench/rooms-do.ts` (or `benchRoomsDo()` from the bench
// runner). State resolution of two forks runs in Node on the pure core (time and memory);
// the object's figures (sends, /members, /state, /messages on seeded rooms) run inside
// workerd through bench/vitest.rooms-do.config.ts and come back as `BENCH {...}` lines.
// Sizes: CIRRUS_BENCH_SIZES='{"members":50000,"messages":200000,...}' (defaults in the bench file).
import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ForkFigures } from './state-res-forks.js';
import { machine, printTable, type Row } from './support.js';

/** Each case runs in its own Node process (bench/state-res-forks.ts) so its peak RSS is its own. */
export function benchStateResolution(counts: number[] = [1000, 10000]): Row[] {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const tsx = path.join(root, 'node_modules/.bin/tsx');
  const rows: Row[] = [];
  for (const shape of ['state', 'members'] as const) {
    for (const version of ['10', '12']) {
      for (const n of counts) {
        const out = execFileSync(tsx, ['--expose-gc', 'bench/state-res-forks.ts', version, String(n), shape], { cwd: root });
        const f = JSON.parse(out.toString()) as ForkFigures;
        const what = shape === 'state' ? 'state events set on both sides' : 'members renamed vs kicked (power events)';
        rows.push({
          benchmark: `resolve 2 forks, ${n} conflicted ${what} (room v${version})`,
          figure: `${f.ms.toFixed(0)} ms`,
          note: `heap +${f.heapDeltaMb.toFixed(1)} MiB at the end, peak RSS +${f.peakRssDeltaMb.toFixed(1)} MiB; ${f.resolvedSize} entries`,
        });
      }
    }
  }
  return rows;
}

export async function benchRoomObject(sizes?: Record<string, number>): Promise<Row[]> {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const vitest = path.join(root, 'node_modules/.bin/vitest');
  const env = { ...process.env, ...(sizes ? { CIRRUS_BENCH_SIZES: JSON.stringify(sizes) } : {}) };
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(vitest, ['run', '--config', 'bench/vitest.rooms-do.config.ts'], { cwd: root, env });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`room object bench failed (${code}):\n${out.slice(-4000)}`))));
  });
  return output
    .split('\n')
    .map((line) => /BENCH (\{.*\})/.exec(line)?.[1])
    .filter((json): json is string => json !== undefined)
    .map((json) => JSON.parse(json) as Row);
}

export async function benchRoomsDo(): Promise<Array<[string, Row[]]>> {
  return [
    ['State resolution (pure core, Node)', benchStateResolution()],
    ['Room Durable Object (workerd, local SQLite)', await benchRoomObject()],
  ];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  console.log(`# Room benchmarks\n\nMachine: ${machine()}`);
  for (const [title, rows] of await benchRoomsDo()) printTable(title, rows);
}
