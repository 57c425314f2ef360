#!/usr/bin/env node
// `npm run user:create -- <name> [--admin] [--password PW] [--url URL] [--secret SECRET]`
// Creates an account through Synapse-compatible shared-secret registration
// (/_synapse/admin/v1/register: nonce + HMAC-SHA1), so it works whether registration is
// open or not. Locally the URL and secret default to what `npm start` uses; against a
// deployed server pass --url and --secret (or REGISTRATION_SHARED_SECRET in the environment).
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline/promises';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const admin = args.includes('--admin');
if (admin) args.splice(args.indexOf('--admin'), 1);
const url = (flag('url') ?? process.env.CIRRUS_URL ?? `http://localhost:${process.env.CIRRUS_PORT ?? '8008'}`).replace(/\/+$/, '');
let password = flag('password') ?? process.env.CIRRUS_PASSWORD;
const stateDir = process.env.CIRRUS_STATE_DIR ?? '.wrangler/state';
const localSecretFile = path.resolve(root, stateDir, 'registration-shared-secret');
const secret =
  flag('secret') ??
  process.env.REGISTRATION_SHARED_SECRET ??
  (existsSync(localSecretFile) ? readFileSync(localSecretFile, 'utf8').trim() : undefined);
const [username] = args;

if (!username || args.length !== 1) {
  console.error('usage: npm run user:create -- <name> [--admin] [--password PW] [--url URL] [--secret SECRET]');
  process.exit(2);
}
if (!secret) {
  console.error(
    `No shared secret: pass --secret, set REGISTRATION_SHARED_SECRET, or start the local server once (it writes ${localSecretFile}).`,
  );
  process.exit(2);
}
if (!password) {
  if (process.stdin.isTTY) {
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    password = await rl.question(`Password for ${username}: `);
    rl.close();
  } else {
    password = randomBytes(18).toString('base64url');
    console.log(`Generated password: ${password}`);
  }
}

const nonceRes = await fetch(`${url}/_synapse/admin/v1/register`);
const nonceBody = await nonceRes.json();
if (!nonceRes.ok) {
  console.error(`Could not get a nonce from ${url}: ${nonceRes.status} ${JSON.stringify(nonceBody)}`);
  process.exit(1);
}
const mac = createHmac('sha1', secret)
  .update(`${nonceBody.nonce}\0${username}\0${password}\0${admin ? 'admin' : 'notadmin'}`)
  .digest('hex');
const res = await fetch(`${url}/_synapse/admin/v1/register`, {
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ nonce: nonceBody.nonce, username, password, admin, mac }),
});
const body = await res.json();
if (!res.ok) {
  console.error(`Registration failed: ${res.status} ${body.errcode ?? ''} ${body.error ?? JSON.stringify(body)}`);
  process.exit(1);
}
console.log(`Created ${body.user_id}${admin ? ' (admin)' : ''} on ${url}`);
