// Starts a real Cirrus instance (`scripts/dev.mjs` → wrangler dev) for scenario tests, each
// with its own port, server name and state directory, in its own process group so that
// stop() ends wrangler and workerd together.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface RunningServer {
  baseUrl: string;
  serverName: string;
  port: number;
  stateDir: string;
  /** Stops the server; the state directory is kept unless `wipe` is set. */
  stop(opts?: { wipe?: boolean }): Promise<void>;
  /** Stops and starts again on the same port and state. */
  restart(): Promise<void>;
  log(): string;
}

let nextPort = 18000 + (process.pid % 1000) * 10;

async function waitUntilUp(baseUrl: string, child: ChildProcess, getLog: () => string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${getLog()}`);
    try {
      const res = await fetch(`${baseUrl}/_matrix/client/versions`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`server did not start within ${timeoutMs} ms:\n${getLog()}`);
}

export async function startServer(
  opts: { port?: number; serverName?: string; vars?: Record<string, string>; stateDir?: string } = {},
): Promise<RunningServer> {
  const port = opts.port ?? nextPort++;
  const serverName = opts.serverName ?? `localhost:${port}`;
  const stateDir = opts.stateDir ?? mkdtempSync(path.join(tmpdir(), 'cirrus-state-'));
  const baseUrl = `http://localhost:${port}`;
  let output = '';
  let child: ChildProcess;

  const launch = async () => {
    const extra = Object.entries(opts.vars ?? {}).flatMap(([k, v]) => ['--var', `${k}:${v}`]);
    child = spawn(process.execPath, [path.join(root, 'scripts/dev.mjs'), ...extra], {
      cwd: root,
      detached: true,
      env: {
        ...process.env,
        CIRRUS_PORT: String(port),
        CIRRUS_SERVER_NAME: serverName,
        CIRRUS_STATE_DIR: stateDir,
        CIRRUS_PUBLIC_BASEURL: baseUrl,
        WRANGLER_SEND_METRICS: 'false',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    await waitUntilUp(baseUrl, child, () => output);
  };

  const kill = async () => {
    if (child.exitCode !== null || child.pid === undefined) return;
    const exited = new Promise((r) => child.once('exit', r));
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 5000);
    await exited;
    clearTimeout(timer);
  };

  await launch();
  return {
    baseUrl,
    serverName,
    port,
    stateDir,
    log: () => output,
    stop: async ({ wipe } = {}) => {
      await kill();
      if (wipe) rmSync(stateDir, { recursive: true, force: true });
    },
    restart: async () => {
      await kill();
      await launch();
    },
  };
}
