// Starts a real Cirrus instance (`scripts/dev.mjs` → wrangler dev) for scenario tests, each
// with its own port, server name and state directory, in its own process group so that
// stop() ends wrangler and workerd together.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
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

async function waitUntilUp(readyUrl: string, child: ChildProcess, getLog: () => string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${getLog()}`);
    try {
      const res = await fetch(readyUrl);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`server did not start within ${timeoutMs} ms:\n${getLog()}`);
}

export interface ServedProcess {
  /** Stops the process group (SIGTERM, then SIGKILL after 5 s). */
  kill(): Promise<void>;
}

/**
 * Spawns a server in its own process group (so that stopping it ends wrangler and workerd
 * together) and waits until `readyUrl` answers 2xx. Output goes to `onOutput`.
 */
export async function spawnServer(opts: {
  command: string;
  args: string[];
  env: Record<string, string | undefined>;
  readyUrl: string;
  onOutput(chunk: string): void;
  getLog(): string;
}): Promise<ServedProcess> {
  const child = spawn(opts.command, opts.args, { cwd: root, detached: true, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d) => opts.onOutput(String(d)));
  child.stderr!.on('data', (d) => opts.onOutput(String(d)));
  await waitUntilUp(opts.readyUrl, child, opts.getLog);
  return {
    kill: async () => {
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
    },
  };
}

/**
 * A port nothing listens on now, asked of the OS: test files run in parallel processes, so
 * counting up from a fixed base can collide with another file's server or a workerd socket.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export async function startServer(
  opts: { port?: number; serverName?: string; vars?: Record<string, string>; stateDir?: string } = {},
): Promise<RunningServer> {
  const port = opts.port ?? (await freePort());
  const inspectorPort = await freePort();
  const serverName = opts.serverName ?? `localhost:${port}`;
  const stateDir = opts.stateDir ?? mkdtempSync(path.join(tmpdir(), 'cirrus-state-'));
  const baseUrl = `http://localhost:${port}`;
  let output = '';
  let served: ServedProcess | undefined;

  const launch = async () => {
    const extra = Object.entries(opts.vars ?? {}).flatMap(([k, v]) => ['--var', `${k}:${v}`]);
    served = await spawnServer({
      command: process.execPath,
      args: [path.join(root, 'scripts/dev.mjs'), ...extra],
      env: {
        ...process.env,
        CIRRUS_PORT: String(port),
        CIRRUS_INSPECTOR_PORT: String(inspectorPort),
        CIRRUS_SERVER_NAME: serverName,
        CIRRUS_STATE_DIR: stateDir,
        CIRRUS_PUBLIC_BASEURL: baseUrl,
        WRANGLER_SEND_METRICS: 'false',
      },
      readyUrl: `${baseUrl}/_matrix/client/versions`,
      onOutput: (d) => (output += d),
      getLog: () => output,
    });
  };
  const kill = async () => served?.kill();

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
