// JSON nested more than 128 levels is refused at the door on every endpoint (400 M_BAD_JSON
// for bodies, M_INVALID_PARAM for inline filters): stored once, such a value would break every
// later reader, such as the owner's /sync.
import { describe, expect, it } from 'vitest';
import { api, registerUser } from './helpers.js';
import { CS, enc, expectStatus } from './rooms-helpers.js';

/** An object whose field `a` holds `depth - 1` nested arrays (`depth` levels in all). */
const nested = (depth: number) => `{"a":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;

describe('JSON nesting limit', () => {
  it('refuses deep account data, to-device messages, profiles and filters, and /sync keeps working', async () => {
    const alice = await registerUser();
    const u = enc(alice.userId);
    const auth = { token: alice.accessToken };
    expectStatus(await api('PUT', `${CS}/user/${u}/account_data/org.example.ok`, { ...auth, rawBody: nested(128) }), 200);
    const refused: [string, string][] = [
      ['PUT', `${CS}/user/${u}/account_data/org.example.deep`],
      ['PUT', `${CS}/sendToDevice/org.example.deep/t1`],
      ['PUT', `${CS}/profile/${u}/org.example.deep`],
      ['POST', `${CS}/user/${u}/filter`],
    ];
    for (const [method, path] of refused) {
      const res = expectStatus(await api(method, path, { ...auth, rawBody: nested(5000) }), 400, 'M_BAD_JSON');
      expect(res.error).toContain('128 levels');
    }
    expectStatus(await api('GET', `${CS}/user/${u}/account_data/org.example.deep`, auth), 404, 'M_NOT_FOUND');
    const filter = enc(`{"room":${nested(5000)}}`);
    expectStatus(await api('GET', `${CS}/sync?timeout=0&filter=${filter}`, auth), 400, 'M_INVALID_PARAM');
    const sync = expectStatus(await api('GET', `${CS}/sync?timeout=0`, auth), 200);
    expect(sync.account_data.events.map((e: any) => e.type)).toContain('org.example.ok');
  });
});
