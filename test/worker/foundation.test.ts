import { SELF } from 'cloudflare:test';
import * as ed from '@noble/ed25519';
import { describe, expect, it } from 'vitest';
import { canonicalJsonBytes } from '../../src/core/json/canonical.js';
import { decodeBase64 } from '../../src/core/json/base64.js';

const BASE = 'http://localhost:8008';

describe('discovery', () => {
  it('lists implemented spec versions and unstable features', async () => {
    const res = await SELF.fetch(`${BASE}/_matrix/client/versions`);
    expect(res.status).toBe(200);
    const body = await res.json<{ versions: string[]; unstable_features: object }>();
    expect(body.versions).toContain('v1.11');
    expect(body.unstable_features).toBeTypeOf('object');
  });

  it('points .well-known at the server itself with the local defaults', async () => {
    const client = await (await SELF.fetch(`${BASE}/.well-known/matrix/client`)).json();
    expect(client).toEqual({ 'm.homeserver': { base_url: 'http://localhost:8008' } });
    const server = await (await SELF.fetch(`${BASE}/.well-known/matrix/server`)).json();
    expect(server).toEqual({ 'm.server': 'localhost:8008' });
  });

  it('answers the federation version endpoint', async () => {
    const body = await (await SELF.fetch(`${BASE}/_matrix/federation/v1/version`)).json<any>();
    expect(body.server.name).toBe('Cirrus');
  });
});

describe('server signing key', () => {
  it('publishes a self-signed key that an independent ed25519 implementation verifies', async () => {
    const res = await SELF.fetch(`${BASE}/_matrix/key/v2/server`);
    expect(res.status).toBe(200);
    const body = await res.json<any>();
    expect(body.server_name).toBe('localhost:8008');
    const [keyId] = Object.keys(body.verify_keys);
    expect(keyId).toMatch(/^ed25519:[A-Za-z0-9_]+$/);
    expect(body.valid_until_ts).toBeGreaterThan(Date.now() + 24 * 3600 * 1000);
    const { signatures, ...signed } = body;
    const sig = decodeBase64(signatures['localhost:8008'][keyId!])!;
    const pub = decodeBase64(body.verify_keys[keyId!].key)!;
    expect(await ed.verifyAsync(sig, canonicalJsonBytes(signed), pub)).toBe(true);
  });

  it('creates exactly one key under concurrent first requests and keeps it', async () => {
    const bodies = await Promise.all(
      Array.from({ length: 8 }, () => SELF.fetch(`${BASE}/_matrix/key/v2/server`).then((r) => r.json<any>())),
    );
    const ids = new Set(bodies.map((b) => Object.keys(b.verify_keys)[0]));
    expect(ids.size).toBe(1);
  });
});

describe('Matrix error conventions', () => {
  it('answers unknown endpoints with 404 M_UNRECOGNIZED', async () => {
    const res = await SELF.fetch(`${BASE}/_matrix/client/v3/no/such/thing`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ errcode: 'M_UNRECOGNIZED' });
  });

  it('answers a known path with the wrong method with 405 M_UNRECOGNIZED', async () => {
    const res = await SELF.fetch(`${BASE}/_matrix/client/versions`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(405);
    expect(await res.json()).toMatchObject({ errcode: 'M_UNRECOGNIZED' });
  });

  it('refuses a declared oversize body with 413 M_TOO_LARGE', async () => {
    const res = await SELF.fetch(`${BASE}/_matrix/client/versions`, {
      method: 'POST',
      body: 'x'.repeat(2 * 1024 * 1024),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ errcode: 'M_TOO_LARGE' });
  });
});

describe('CORS', () => {
  it('answers preflight without auth and with the spec headers', async () => {
    const res = await SELF.fetch(`${BASE}/_matrix/client/v3/account/whoami`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://app.element.io', 'Access-Control-Request-Method': 'GET' },
    });
    expect(res.status).toBeLessThan(300);
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe('*');
    expect(res.headers.get('Access-Control-Allow-Methods')).toBe('GET, POST, PUT, DELETE, OPTIONS');
    expect(res.headers.get('Access-Control-Allow-Headers')).toBe('X-Requested-With, Content-Type, Authorization');
  });

  it('puts CORS headers on errors too', async () => {
    const res = await SELF.fetch(`${BASE}/_matrix/client/v3/nope`);
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe('*');
  });
});
