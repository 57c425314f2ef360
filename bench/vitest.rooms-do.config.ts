// Runs the Room Durable Object benchmarks (test/worker/bench/*.bench.ts) inside workerd, with
// the same bindings as the worker tests. Started by bench/rooms-do.ts, not by `npm test`.
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [
    cloudflareTest(async () => ({
      wrangler: { configPath: './wrangler.toml' },
      miniflare: {
        bindings: {
          TEST_MIGRATIONS: await readD1Migrations('./migrations'),
          // Sizes from bench/rooms-do.ts (e.g. smaller for a quick run).
          BENCH_SIZES: process.env.CIRRUS_BENCH_SIZES ?? '{}',
        },
      },
    })),
  ],
  test: {
    include: ['test/worker/bench/**/*.bench.ts'],
    setupFiles: ['./test/worker/apply-migrations.ts'],
    testTimeout: 3_600_000,
    hookTimeout: 600_000,
  },
});
