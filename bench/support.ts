// Shared benchmark helpers: latency statistics, a table printer, and the machine description
// every figure is printed with.
import { cpus, totalmem, platform, release } from 'node:os';
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export interface Row {
  benchmark: string;
  figure: string;
  note?: string;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function latencySummary(samplesMs: number[]): { p50: number; p99: number; mean: number } {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const mean = sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), mean };
}

export const ms = (v: number) => `${v.toFixed(v < 10 ? 2 : 1)} ms`;

export function machine(): string {
  const cpu = cpus();
  let workerd = 'unknown';
  try {
    const bin = path.resolve('node_modules/.bin/workerd');
    workerd = execFileSync(bin, ['--version']).toString().trim();
  } catch {
    // leave unknown
  }
  return [
    `${cpu[0]?.model ?? 'unknown CPU'} × ${cpu.length} cores`,
    `${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM`,
    `${platform()} ${release()}`,
    `Node ${process.version}`,
    workerd,
    'local wrangler dev (workerd, local D1/DO/R2)',
  ].join(', ');
}

export function printTable(title: string, rows: Row[]): void {
  const w1 = Math.max(9, ...rows.map((r) => r.benchmark.length));
  const w2 = Math.max(6, ...rows.map((r) => r.figure.length));
  console.log(`\n## ${title}\n`);
  console.log(`| ${'benchmark'.padEnd(w1)} | ${'figure'.padEnd(w2)} | note |`);
  console.log(`| ${'-'.repeat(w1)} | ${'-'.repeat(w2)} | ---- |`);
  for (const r of rows) console.log(`| ${r.benchmark.padEnd(w1)} | ${r.figure.padEnd(w2)} | ${r.note ?? ''} |`);
}

export async function timeIt<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const v = await fn();
  return [v, performance.now() - t0];
}
