import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

/**
 * A project whose tests run inside real workerd (local D1/R2/Durable Objects, no mocks), with
 * the Worker configured by `vars`. Separate projects cover configurations that differ
 * server-wide (registration policy, rate limits).
 */
function workerProject(name: string, include: string[], vars: Record<string, string>) {
  return {
    plugins: [
      cloudflareTest(async () => ({
        wrangler: { configPath: './wrangler.toml' },
        miniflare: {
          bindings: { TEST_MIGRATIONS: await readD1Migrations('./migrations'), ...vars },
        },
      })),
    ],
    test: { name, include, setupFiles: ['./test/worker/apply-migrations.ts'] },
  };
}

// Three kinds of project: the pure core in plain Node; the Worker in workerd; scenarios that
// drive `wrangler dev` with real clients over HTTP.
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'core', include: ['test/core/**/*.test.ts'], environment: 'node' } },
      workerProject('worker', ['test/worker/**/*.test.ts'], {
        REGISTRATION: 'open',
        REGISTRATION_SHARED_SECRET: 'test-shared-secret',
        RATE_LIMIT_REGISTER: 'off',
        RATE_LIMIT_LOGIN: 'off',
        // Outbound guard: nothing listens on 127.0.0.1:1, so tests can reach an identity server
        // that is down; names are never resolved on the internet (the resolver is down too).
        OUTBOUND_ALLOW_HOSTS: '127.0.0.1:1',
        DNS_RESOLVER_URL: 'http://127.0.0.1:1/dns-query',
      }),
      workerProject('worker-gated', ['test/worker-gated/**/*.test.ts'], {
        REGISTRATION: 'token',
        REGISTRATION_SHARED_SECRET: 'test-shared-secret',
        RATE_LIMIT_REGISTER: '100/60s',
        RATE_LIMIT_LOGIN: '3/60s',
      }),
      workerProject('worker-closed', ['test/worker-closed/**/*.test.ts'], { REGISTRATION: 'closed' }),
      {
        test: {
          name: 'scenario',
          include: ['test/scenario/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
