import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { accountDataSince, setAccountData } from '../../src/services/account-data.js';
import { api, registerUser } from './helpers.js';

const enc = encodeURIComponent;
const globalPath = (userId: string, type: string) => `/_matrix/client/v3/user/${enc(userId)}/account_data/${enc(type)}`;
const roomPath = (userId: string, roomId: string, type: string) =>
  `/_matrix/client/v3/user/${enc(userId)}/rooms/${enc(roomId)}/account_data/${enc(type)}`;

const ROOM = '!room:localhost:8008';

describe('global account data', () => {
  it('stores and returns an object, replacing it on the next PUT', async () => {
    const alice = await registerUser();
    const token = alice.accessToken;
    const path = globalPath(alice.userId, 'org.example.config');
    expect(await api('PUT', path, { token, body: { theme: 'dark', n: [1, 2] } })).toMatchObject({ status: 200, body: {} });
    expect((await api('GET', path, { token })).body).toEqual({ theme: 'dark', n: [1, 2] });
    await api('PUT', path, { token, body: { theme: 'light' } });
    expect((await api('GET', path, { token })).body).toEqual({ theme: 'light' });
  });

  it('answers 404 M_NOT_FOUND for a type never set', async () => {
    const alice = await registerUser();
    const res = await api('GET', globalPath(alice.userId, 'org.example.unset'), { token: alice.accessToken });
    expect(res.status).toBe(404);
    expect(res.body.errcode).toBe('M_NOT_FOUND');
  });

  it('refuses another user’s account data with 403 M_FORBIDDEN, for GET and PUT', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const path = globalPath(alice.userId, 'org.example.config');
    await api('PUT', path, { token: alice.accessToken, body: { secret: 1 } });
    const get = await api('GET', path, { token: bob.accessToken });
    expect(get.status).toBe(403);
    expect(get.body.errcode).toBe('M_FORBIDDEN');
    const put = await api('PUT', path, { token: bob.accessToken, body: { secret: 2 } });
    expect(put.status).toBe(403);
    expect(put.body.errcode).toBe('M_FORBIDDEN');
  });

  it('requires an access token', async () => {
    const alice = await registerUser();
    const res = await api('GET', globalPath(alice.userId, 'org.example.config'));
    expect(res.status).toBe(401);
    expect(res.body.errcode).toBe('M_MISSING_TOKEN');
  });

  it('refuses server-managed types with 405 M_BAD_JSON but still lets them be read', async () => {
    const alice = await registerUser();
    const token = alice.accessToken;
    for (const type of ['m.fully_read', 'm.push_rules']) {
      const res = await api('PUT', globalPath(alice.userId, type), { token, body: { event_id: '$x' } });
      expect(res.status, type).toBe(405);
      expect(res.body.errcode, type).toBe('M_BAD_JSON');
      const roomRes = await api('PUT', roomPath(alice.userId, ROOM, type), { token, body: { event_id: '$x' } });
      expect(roomRes.status, type).toBe(405);
      expect(roomRes.body.errcode, type).toBe('M_BAD_JSON');
    }
    // m.push_rules reads as the user's current push rules.
    const rules = await api('GET', globalPath(alice.userId, 'm.push_rules'), { token });
    expect(rules.status).toBe(200);
    expect(rules.body.global.override).toBeInstanceOf(Array);
  });

  it('refuses bodies that are not JSON objects', async () => {
    const alice = await registerUser();
    const token = alice.accessToken;
    const path = globalPath(alice.userId, 'org.example.config');
    const notJson = await api('PUT', path, { token, rawBody: 'nope' });
    expect(notJson.status).toBe(400);
    expect(notJson.body.errcode).toBe('M_NOT_JSON');
    const array = await api('PUT', path, { token, body: [1, 2] });
    expect(array.status).toBe(400);
    expect(array.body.errcode).toBe('M_BAD_JSON');
  });

  it('refuses guests with 403 M_GUEST_ACCESS_FORBIDDEN', async () => {
    const guest = await registerUser();
    await env.DB.prepare('UPDATE users SET is_guest = 1 WHERE user_id = ?1').bind(guest.userId).run();
    const res = await api('PUT', globalPath(guest.userId, 'org.example.config'), { token: guest.accessToken, body: {} });
    expect(res.status).toBe(403);
    expect(res.body.errcode).toBe('M_GUEST_ACCESS_FORBIDDEN');
  });
});

describe('per-room account data', () => {
  it('stores per room, separately from global data of the same type and from other rooms', async () => {
    const alice = await registerUser();
    const token = alice.accessToken;
    const type = 'm.tag';
    await api('PUT', roomPath(alice.userId, ROOM, type), { token, body: { tags: { 'm.favourite': { order: 0.5 } } } });
    expect((await api('GET', roomPath(alice.userId, ROOM, type), { token })).body).toEqual({
      tags: { 'm.favourite': { order: 0.5 } },
    });
    // "There is no inheritance mechanism here" in either direction.
    expect((await api('GET', globalPath(alice.userId, type), { token })).status).toBe(404);
    const other = await api('GET', roomPath(alice.userId, '!other:localhost:8008', type), { token });
    expect(other.status).toBe(404);
    expect(other.body.errcode).toBe('M_NOT_FOUND');
  });

  it('accepts room version 12 room IDs (no server name)', async () => {
    const alice = await registerUser();
    const roomId = `!${'A'.repeat(43)}`;
    const res = await api('PUT', roomPath(alice.userId, roomId, 'org.example.x'), { token: alice.accessToken, body: { a: 1 } });
    expect(res.status).toBe(200);
  });

  it('refuses a malformed room ID with 400 M_INVALID_PARAM', async () => {
    const alice = await registerUser();
    const token = alice.accessToken;
    for (const method of ['GET', 'PUT'] as const) {
      const res = await api(method, roomPath(alice.userId, '@notaroomid:example.org', 'org.example.x'), {
        token,
        body: method === 'PUT' ? { a: 1 } : undefined,
      });
      expect(res.status, method).toBe(400);
      expect(res.body.errcode, method).toBe('M_INVALID_PARAM');
    }
  });

  it('refuses another user’s room account data with 403 M_FORBIDDEN', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const res = await api('GET', roomPath(alice.userId, ROOM, 'm.tag'), { token: bob.accessToken });
    expect(res.status).toBe(403);
    expect(res.body.errcode).toBe('M_FORBIDDEN');
  });
});

describe('account data stream positions', () => {
  it('gives every write a larger position than any before it, for /sync to read in order', async () => {
    const userId = '@stream:localhost:8008';
    const a = await setAccountData(env.DB, { userId, type: 'org.example.a', content: { v: 1 } });
    const b = await setAccountData(env.DB, { userId, type: 'org.example.b', content: { v: 1 }, roomId: ROOM });
    const a2 = await setAccountData(env.DB, { userId, type: 'org.example.a', content: { v: 2 } });
    expect(b.streamId).toBeGreaterThan(a.streamId);
    expect(a2.streamId).toBeGreaterThan(b.streamId);

    const changes = await accountDataSince(env.DB, userId, a.streamId);
    expect(changes).toEqual([
      { roomId: ROOM, type: 'org.example.b', content: { v: 1 }, streamId: b.streamId },
      { roomId: undefined, type: 'org.example.a', content: { v: 2 }, streamId: a2.streamId },
    ]);
  });

  it('hands out distinct positions to concurrent writes', async () => {
    const userId = '@concurrent:localhost:8008';
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => setAccountData(env.DB, { userId, type: `org.example.t${i}`, content: {} })),
    );
    expect(new Set(results.map((r) => r.streamId)).size).toBe(10);
  });
});
