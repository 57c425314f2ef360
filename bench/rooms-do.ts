// Room Durable Object benchmarks: `tsx bench/rooms-do.ts` (or `benchRoomsDo()` from the bench
// runner). State resolution of two forks runs in Node on the pure core (time and memory);
// the object's figures (sends, /members, /state, /messages on seeded rooms) run inside
// workerd through bench/vitest.rooms-do.config.ts and come back as `BENCH {...}` lines.
// Sizes: CIRRUS_BENCH_SIZES='{"members":50000,"messages":200000,...}' (defaults in the bench file).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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

/**
 * Peak memory per phase of the workerd process(es) vitest starts (Linux): the bench prints
 * `PHASE start <name>` / `PHASE end <name>` around what it measures and waits a moment on
 * each side; at the start the processes' peak RSS (VmHWM) is reset (`/proc/<pid>/clear_refs`),
 * at the end it is read. Isolates expose no heap figures, so this is the whole process:
 * the Durable Object, the test runner and SQLite's cache together.
 */
class PhaseMemory {
  private readonly starts = new Map<string, number>();
  readonly phases = new Map<string, { startMb: number; peakMb: number }>();

  constructor(private readonly root: number) {}

  private workerdPids(): number[] {
    const parent = new Map<number, number>();
    const names = new Map<number, string>();
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const close = stat.lastIndexOf(')');
        names.set(Number(entry), stat.slice(stat.indexOf('(') + 1, close));
        parent.set(Number(entry), Number(stat.slice(close + 2).split(' ')[1]));
      } catch {
        // the process ended meanwhile
      }
    }
    const descends = (pid: number): boolean => {
      for (let p: number | undefined = pid, hops = 0; p !== undefined && p > 1 && hops < 64; p = parent.get(p), hops++) if (p === this.root) return true;
      return false;
    };
    return [...names].filter(([pid, name]) => name.startsWith('workerd') && descends(pid)).map(([pid]) => pid);
  }

  private sumKb(field: 'VmRSS' | 'VmHWM'): number {
    let kb = 0;
    for (const pid of this.workerdPids()) {
      try {
        kb += Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
      } catch {
        // gone
      }
    }
    return kb;
  }

  line(line: string): void {
    const m = /PHASE (start|end) (\S+)/.exec(line);
    if (!m || !existsSync('/proc/self/status')) return;
    const [, what, name] = m as unknown as [string, string, string];
    if (what === 'start') {
      for (const pid of this.workerdPids()) {
        try {
          writeFileSync(`/proc/${pid}/clear_refs`, '5');
        } catch {
          // not permitted: the peak is then the process's lifetime peak
        }
      }
      this.starts.set(name, this.sumKb('VmRSS'));
    } else {
      const start = this.starts.get(name);
      if (start !== undefined) this.phases.set(name, { startMb: start / 1024, peakMb: this.sumKb('VmHWM') / 1024 });
    }
  }
}

export async function benchRoomObject(sizes?: Record<string, number>): Promise<Row[]> {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const vitest = path.join(root, 'node_modules/.bin/vitest');
  const env = { ...process.env, ...(sizes ? { CIRRUS_BENCH_SIZES: JSON.stringify(sizes) } : {}) };
  let memory: PhaseMemory | undefined;
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(vitest, ['run', '--config', 'bench/vitest.rooms-do.config.ts'], { cwd: root, env });
    memory = new PhaseMemory(child.pid!);
    let out = '';
    let pending = '';
    child.stdout.on('data', (d) => {
      out += d;
      const lines = (pending + String(d)).split('\n');
      pending = lines.pop()!;
      for (const l of lines) memory!.line(l);
    });
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`room object bench failed (${code}):\n${out.slice(-4000)}`))));
  });
  return output
    .split('\n')
    .map((line) => /BENCH (\{.*\})/.exec(line)?.[1])
    .filter((json): json is string => json !== undefined)
    .map((json) => {
      const { phase, ...row } = JSON.parse(json) as Row & { phase?: string };
      const mem = phase === undefined ? undefined : memory?.phases.get(phase);
      if (mem) {
        const peak = `workerd peak RSS ${mem.peakMb.toFixed(0)} MiB (+${Math.max(0, mem.peakMb - mem.startMb).toFixed(1)} MiB during it)`;
        row.note = row.note ? `${row.note}; ${peak}` : peak;
      }
      return row;
    });
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
