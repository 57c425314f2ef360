// The core holds protocol rules only: no I/O, no clock, no randomness, no Workers APIs
// (DESIGN.md, "Layers and what each may import"). This scan keeps it that way.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CORE = fileURLToPath(new URL('../../src/core/', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : /\.[cm]?[jt]s$/.test(name) ? [path] : [];
  });
}

const FORBIDDEN: Array<[string, RegExp]> = [
  ['a cloudflare: import', /cloudflare:/],
  ['fetch(', /\bfetch\s*\(/],
  ['Date.now', /\bDate\.now\b/],
  ['new Date()', /\bnew Date\(\s*\)/],
  ['Math.random', /\bMath\.random\b/],
  ['crypto.getRandomValues / randomUUID', /\bcrypto\.(getRandomValues|randomUUID|subtle)\b/],
  ['a node: import', /from\s+['"]node:/],
  ['Buffer', /\bBuffer\./],
  ['process.env', /\bprocess\.env\b/],
];

describe('core purity', () => {
  const files = sourceFiles(CORE);
  it('finds the core sources', () => {
    expect(files.length).toBeGreaterThan(5);
  });
  it.each(FORBIDDEN)('no file in src/core uses %s', (_what, pattern) => {
    const offenders = files.filter((f) => pattern.test(readFileSync(f, 'utf8'))).map((f) => f.slice(CORE.length));
    expect(offenders).toEqual([]);
  });
});
