// Shared helpers for tests that run inside workerd against the real Worker (SELF).
import { SELF } from 'cloudflare:test';

export const BASE = 'http://localhost:8008';
export const SERVER_NAME = 'localhost:8008';

export interface TestUser {
  userId: string;
  accessToken: string;
  deviceId: string;
  password: string;
}

let counter = 0;

/** A unique, valid localpart per call within a test file. */
export function uniqueName(prefix = 'user'): string {
  counter += 1;
  return `${prefix}${counter}_${Math.floor(Math.random() * 1e6)}`;
}

export async function api(
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; rawBody?: BodyInit; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  let body: BodyInit | undefined = opts.rawBody;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['Content-Type'] = 'application/json';
  }
  const res = await SELF.fetch(`${BASE}${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/** Registers a user through open registration (m.login.dummy). */
export async function registerUser(name = uniqueName(), password = 'correct horse battery staple'): Promise<TestUser> {
  const res = await api('POST', '/_matrix/client/v3/register', {
    body: { username: name, password, auth: { type: 'm.login.dummy' } },
  });
  if (res.status !== 200) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { userId: res.body.user_id, accessToken: res.body.access_token, deviceId: res.body.device_id, password };
}

/** Registers an admin through shared-secret registration (the test config sets the secret). */
export async function registerAdmin(name = uniqueName('admin'), password = 'admin password'): Promise<TestUser> {
  const { body: nonceBody } = await api('GET', '/_synapse/admin/v1/register');
  const mac = await hmacSha1Hex('test-shared-secret', `${nonceBody.nonce}\0${name}\0${password}\0admin`);
  const res = await api('POST', '/_synapse/admin/v1/register', {
    body: { nonce: nonceBody.nonce, username: name, password, admin: true, mac },
  });
  if (res.status !== 200) throw new Error(`admin register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { userId: res.body.user_id, accessToken: res.body.access_token, deviceId: res.body.device_id, password };
}

export async function hmacSha1Hex(secret: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-1' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(message)));
  return Array.from(mac, (b) => b.toString(16).padStart(2, '0')).join('');
}
