import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { SERVER_NAME, api, registerUser, type TestUser } from './helpers.js';

const profile = (userId: string, key?: string) =>
  `/_matrix/client/v3/profile/${encodeURIComponent(userId)}${key === undefined ? '' : `/${encodeURIComponent(key)}`}`;

const localpartOf = (userId: string) => userId.slice(1).split(':')[0]!;

async function makeGuest(user: TestUser): Promise<void> {
  await env.DB.prepare('UPDATE users SET is_guest = 1 WHERE user_id = ?1').bind(user.userId).run();
}

describe('GET /profile/{userId}', () => {
  it('returns a new user’s profile, with the localpart as display name, without an access token', async () => {
    const alice = await registerUser();
    const res = await api('GET', profile(alice.userId));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ displayname: localpartOf(alice.userId) });
  });

  it('answers 404 M_NOT_FOUND for an unknown local user and for remote users', async () => {
    for (const userId of [`@nobody-here:${SERVER_NAME}`, '@alice:remote.example.org']) {
      const res = await api('GET', profile(userId));
      expect(res.status).toBe(404);
      expect(res.body.errcode).toBe('M_NOT_FOUND');
    }
  });

  it('answers 400 M_INVALID_PARAM for a malformed user ID', async () => {
    const res = await api('GET', profile('not-a-user-id'));
    expect(res.status).toBe(400);
    expect(res.body.errcode).toBe('M_INVALID_PARAM');
  });

  it('answers 404 for a deactivated account', async () => {
    const user = await registerUser();
    await env.DB.prepare('UPDATE users SET deactivated = 1 WHERE user_id = ?1').bind(user.userId).run();
    const res = await api('GET', profile(user.userId));
    expect(res.status).toBe(404);
    expect(res.body.errcode).toBe('M_NOT_FOUND');
  });
});

describe('displayname and avatar_url', () => {
  it('sets and reads back the display name and avatar, singly and in the whole profile', async () => {
    const alice = await registerUser();
    const put1 = await api('PUT', profile(alice.userId, 'displayname'), {
      token: alice.accessToken,
      body: { displayname: 'Alice Liddell' },
    });
    expect(put1).toMatchObject({ status: 200, body: {} });
    const put2 = await api('PUT', profile(alice.userId, 'avatar_url'), {
      token: alice.accessToken,
      body: { avatar_url: 'mxc://example.org/abc123' },
    });
    expect(put2.status).toBe(200);

    expect((await api('GET', profile(alice.userId, 'displayname'))).body).toEqual({ displayname: 'Alice Liddell' });
    expect((await api('GET', profile(alice.userId, 'avatar_url'))).body).toEqual({
      avatar_url: 'mxc://example.org/abc123',
    });
    expect((await api('GET', profile(alice.userId))).body).toEqual({
      displayname: 'Alice Liddell',
      avatar_url: 'mxc://example.org/abc123',
    });
  });

  it('accepts an unencoded user ID in the path', async () => {
    const alice = await registerUser();
    const res = await api('GET', `/_matrix/client/v3/profile/${alice.userId}/displayname`);
    expect(res.status).toBe(200);
    expect(res.body.displayname).toBe(localpartOf(alice.userId));
  });

  it('finds a user whose localpart has a slash, percent-encoded in the path', async () => {
    const user = await registerUser(`slash/${Date.now()}`);
    const res = await api('GET', profile(user.userId, 'displayname'));
    expect(res.status).toBe(200);
    expect(res.body.displayname).toBe(localpartOf(user.userId));
  });

  it('answers 404 M_NOT_FOUND for a field that is not set', async () => {
    const alice = await registerUser();
    const res = await api('GET', profile(alice.userId, 'avatar_url'));
    expect(res.status).toBe(404);
    expect(res.body.errcode).toBe('M_NOT_FOUND');
  });

  it('treats an empty display name or avatar as removing it', async () => {
    const alice = await registerUser();
    const res = await api('PUT', profile(alice.userId, 'displayname'), { token: alice.accessToken, body: { displayname: '' } });
    expect(res.status).toBe(200);
    expect((await api('GET', profile(alice.userId, 'displayname'))).status).toBe(404);
    expect((await api('GET', profile(alice.userId))).body).toEqual({});
  });

  it('refuses to change another user’s profile with 403 M_FORBIDDEN', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const res = await api('PUT', profile(alice.userId, 'displayname'), { token: bob.accessToken, body: { displayname: 'Mallory' } });
    expect(res.status).toBe(403);
    expect(res.body.errcode).toBe('M_FORBIDDEN');
    const del = await api('DELETE', profile(alice.userId, 'displayname'), { token: bob.accessToken });
    expect(del.status).toBe(403);
    expect(del.body.errcode).toBe('M_FORBIDDEN');
    expect((await api('GET', profile(alice.userId, 'displayname'))).body.displayname).toBe(localpartOf(alice.userId));
  });

  it('requires an access token to change a profile', async () => {
    const alice = await registerUser();
    const res = await api('PUT', profile(alice.userId, 'displayname'), { body: { displayname: 'x' } });
    expect(res.status).toBe(401);
    expect(res.body.errcode).toBe('M_MISSING_TOKEN');
  });

  it('validates the body: missing key, wrong type, null, over-long name, not JSON', async () => {
    const alice = await registerUser();
    const put = (key: string, init: { body?: unknown; rawBody?: string }) =>
      api('PUT', profile(alice.userId, key), { token: alice.accessToken, ...init });
    const cases: Array<[string, { body?: unknown; rawBody?: string }, string]> = [
      ['displayname', { body: { avatar_url: 'mxc://a/b' } }, 'M_MISSING_PARAM'],
      ['displayname', { body: { displayname: 42 } }, 'M_BAD_JSON'],
      ['avatar_url', { body: { avatar_url: ['mxc://a/b'] } }, 'M_BAD_JSON'],
      ['m.tz', { body: { 'm.tz': 1 } }, 'M_BAD_JSON'],
      ['displayname', { body: { displayname: null } }, 'M_INVALID_PARAM'],
      ['displayname', { body: { displayname: 'x'.repeat(257) } }, 'M_BAD_JSON'],
      ['displayname', { rawBody: '{not json' }, 'M_NOT_JSON'],
    ];
    for (const [key, init, errcode] of cases) {
      const res = await put(key, init);
      expect(res.status, `${key} ${JSON.stringify(init)}`).toBe(400);
      expect(res.body.errcode, `${key} ${JSON.stringify(init)}`).toBe(errcode);
    }
  });

  it('lets a guest change only the display name', async () => {
    const guest = await registerUser();
    await makeGuest(guest);
    const ok = await api('PUT', profile(guest.userId, 'displayname'), { token: guest.accessToken, body: { displayname: 'Guest' } });
    expect(ok.status).toBe(200);
    const avatar = await api('PUT', profile(guest.userId, 'avatar_url'), {
      token: guest.accessToken,
      body: { avatar_url: 'mxc://a/b' },
    });
    expect(avatar.status).toBe(403);
    expect(avatar.body.errcode).toBe('M_GUEST_ACCESS_FORBIDDEN');
  });
});

describe('extended profile fields (v1.16)', () => {
  it('sets, reads and deletes m.tz and custom fields of any JSON type', async () => {
    const alice = await registerUser();
    const token = alice.accessToken;
    expect((await api('PUT', profile(alice.userId, 'm.tz'), { token, body: { 'm.tz': 'Europe/London' } })).status).toBe(200);
    const job = { title: 'Engineer', since: 2020, remote: true };
    expect(
      (await api('PUT', profile(alice.userId, 'org.example.job_title'), { token, body: { 'org.example.job_title': job } }))
        .status,
    ).toBe(200);

    expect((await api('GET', profile(alice.userId, 'org.example.job_title'))).body).toEqual({ 'org.example.job_title': job });
    expect((await api('GET', profile(alice.userId))).body).toEqual({
      displayname: localpartOf(alice.userId),
      'm.tz': 'Europe/London',
      'org.example.job_title': job,
    });

    const del = await api('DELETE', profile(alice.userId, 'org.example.job_title'), { token });
    expect(del).toMatchObject({ status: 200, body: {} });
    expect((await api('GET', profile(alice.userId, 'org.example.job_title'))).status).toBe(404);
  });

  it('answers 200 when deleting a field that is not set, and DELETE removes the display name', async () => {
    const alice = await registerUser();
    const token = alice.accessToken;
    expect((await api('DELETE', profile(alice.userId, 'org.example.never_set'), { token })).status).toBe(200);
    expect((await api('DELETE', profile(alice.userId, 'displayname'), { token })).status).toBe(200);
    expect((await api('GET', profile(alice.userId, 'displayname'))).status).toBe(404);
  });

  it('refuses key names outside the grammar with 400 M_INVALID_PARAM, on GET, PUT and DELETE', async () => {
    const alice = await registerUser();
    const token = alice.accessToken;
    for (const key of ['Org.example.x', '1abc', 'org.example.x!', '_x']) {
      const put = await api('PUT', profile(alice.userId, key), { token, body: { [key]: 'v' } });
      expect(put.status, key).toBe(400);
      expect(put.body.errcode, key).toBe('M_INVALID_PARAM');
      expect((await api('GET', profile(alice.userId, key))).body.errcode, key).toBe('M_INVALID_PARAM');
      expect((await api('DELETE', profile(alice.userId, key), { token })).body.errcode, key).toBe('M_INVALID_PARAM');
    }
  });

  it('refuses a key name over 255 bytes with 400 M_KEY_TOO_LARGE', async () => {
    const alice = await registerUser();
    const key = `org.example.${'k'.repeat(250)}`;
    const res = await api('PUT', profile(alice.userId, key), { token: alice.accessToken, body: { [key]: 'v' } });
    expect(res.status).toBe(400);
    expect(res.body.errcode).toBe('M_KEY_TOO_LARGE');
  });

  it('keeps the whole profile under 64 KiB with 400 M_PROFILE_TOO_LARGE', async () => {
    const alice = await registerUser();
    const token = alice.accessToken;
    const big = 'x'.repeat(40 * 1024);
    expect((await api('PUT', profile(alice.userId, 'org.example.a'), { token, body: { 'org.example.a': big } })).status).toBe(
      200,
    );
    const res = await api('PUT', profile(alice.userId, 'org.example.b'), { token, body: { 'org.example.b': big } });
    expect(res.status).toBe(400);
    expect(res.body.errcode).toBe('M_PROFILE_TOO_LARGE');
    expect((await api('GET', profile(alice.userId, 'org.example.b'))).status).toBe(404);
    // Replacing the large field with a small one is fine: the size counts the field once.
    expect(
      (await api('PUT', profile(alice.userId, 'org.example.a'), { token, body: { 'org.example.a': big.slice(1) } })).status,
    ).toBe(200);
  });
});
