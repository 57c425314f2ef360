#!/usr/bin/env node
// `npm start`: applies the D1 migrations to the local database, then serves Cirrus with
// `wrangler dev` on http://localhost:8008, state persisted under .wrangler/state.
// Several instances can run side by side, each with its own port, name and state
// (CIRRUS_INSPECTOR_PORT moves the debugger port, port + 20000 by default):
//   CIRRUS_PORT=8448 CIRRUS_SERVER_NAME=localhost:8448 CIRRUS_STATE_DIR=.wrangler/state-b npm start
// Extra arguments are passed to `wrangler dev` (e.g. `npm start -- --var REGISTRATION:token`).
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const port = process.env.CIRRUS_PORT ?? '8008';
const serverName = process.env.CIRRUS_SERVER_NAME ?? `localhost:${port}`;
const stateDir = process.env.CIRRUS_STATE_DIR ?? '.wrangler/state';
const baseUrl = process.env.CIRRUS_PUBLIC_BASEURL ?? `http://localhost:${port}`;
const registration = process.env.CIRRUS_REGISTRATION ?? 'open';
const inspectorPort = process.env.CIRRUS_INSPECTOR_PORT ?? String(Number(port) + 20000);
const wrangler = path.join(root, 'node_modules', '.bin', 'wrangler');
const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' };

// A local shared secret for `npm run user:create`, made once per state directory.
const secretFile = path.resolve(root, stateDir, 'registration-shared-secret');
if (!existsSync(secretFile)) {
  mkdirSync(path.dirname(secretFile), { recursive: true });
  writeFileSync(secretFile, randomBytes(32).toString('base64url'), { mode: 0o600 });
}
const sharedSecret = readFileSync(secretFile, 'utf8').trim();

const migrate = spawnSync(wrangler, ['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', stateDir], {
  cwd: root,
  env,
  stdio: 'inherit',
});
if (migrate.status !== 0) process.exit(migrate.status ?? 1);

const args = [
  'dev',
  '--port', port,
  '--ip', '127.0.0.1',
  '--inspector-port', inspectorPort,
  '--persist-to', stateDir,
  '--show-interactive-dev-session=false',
  '--var', `SERVER_NAME:${serverName}`,
  '--var', `PUBLIC_BASEURL:${baseUrl}`,
  '--var', `REGISTRATION:${registration}`,
  '--var', `REGISTRATION_SHARED_SECRET:${sharedSecret}`,
  ...process.argv.slice(2),
];
const child = spawn(wrangler, args, { cwd: root, env, stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
