// The local platform's floor for a room send: bench/floor/worker.ts served by `wrangler dev`
// exactly as Cirrus is (same proxy, same workerd, local D1 and Durable Objects), driven by
// the same client at the same concurrency as bench/rooms.ts. A Worker that does only the
// I/O of an authenticated send (one D1 read + one Durable Object call that writes SQLite)
// cannot go faster than this, whatever its code.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, spawnServer } from '../test/support/server.js';

export interface FloorServer {
  baseUrl: string;
  stop(): Promise<void>;
}

export async function startFloorWorker(): Promise<FloorServer> {
  const port = await freePort();
  const inspectorPort = await freePort();
  const stateDir = mkdtempSync(path.join(tmpdir(), 'cirrus-floor-'));
  const baseUrl = `http://localhost:${port}`;
  let output = '';
  const served = await spawnServer({
    command: path.resolve('node_modules/.bin/wrangler'),
    args: ['dev', '--config', 'bench/floor/wrangler.toml', '--port', String(port), '--ip', '127.0.0.1', '--inspector-port', String(inspectorPort), '--persist-to', stateDir, '--show-interactive-dev-session=false'],
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' },
    readyUrl: `${baseUrl}/plain`,
    onOutput: (d) => (output += d),
    getLog: () => output,
  });
  return {
    baseUrl,
    stop: async () => {
      await served.kill();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
