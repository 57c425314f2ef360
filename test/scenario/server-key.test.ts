import { createPublicKey, verify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/server.js';

// An independent canonical-JSON encoder, so this test does not trust our own.
const canon = (v: unknown): string =>
  v === null || typeof v !== 'object'
    ? JSON.stringify(v)
    : Array.isArray(v)
      ? `[${v.map(canon).join(',')}]`
      : `{${Object.keys(v)
          .sort()
          .map((k) => `${JSON.stringify(k)}:${canon((v as Record<string, unknown>)[k])}`)
          .join(',')}}`;

describe('server key over real HTTP (wrangler dev)', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.stop({ wipe: true });
  });

  it('serves a self-signature that OpenSSL verifies, and keeps the key across restarts', async () => {
    const fetchKeys = async () => (await fetch(`${server.baseUrl}/_matrix/key/v2/server`)).json() as Promise<any>;
    const body = await fetchKeys();
    const keyId = Object.keys(body.verify_keys)[0]!;
    const { signatures, ...signed } = body;
    const publicKey = createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(body.verify_keys[keyId].key, 'base64').toString('base64url') },
      format: 'jwk',
    });
    const signature = Buffer.from(signatures[server.serverName][keyId], 'base64');
    expect(verify(null, Buffer.from(canon(signed)), publicKey, signature)).toBe(true);

    await server.restart();
    const again = await fetchKeys();
    expect(Object.keys(again.verify_keys)).toEqual([keyId]);
    expect(again.verify_keys[keyId].key).toBe(body.verify_keys[keyId].key);
  });

  it('serves the homeserver on the configured port with CORS on errors', async () => {
    const res = await fetch(`${server.baseUrl}/_matrix/client/v3/unknown`);
    expect(res.status).toBe(404);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(await res.json()).toMatchObject({ errcode: 'M_UNRECOGNIZED' });
  });
});
