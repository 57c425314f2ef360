import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/services/passwords.js';
import { SERVER_NAME, api, registerUser, uniqueName } from './helpers.js';

const REGISTER = '/_matrix/client/v3/register';
const LOGIN = '/_matrix/client/v3/login';

describe('registration (open)', () => {
  it('answers a request without auth with the UIA challenge offering m.login.dummy', async () => {
    const res = await api('POST', REGISTER, { body: { username: uniqueName(), password: 'pw' } });
    expect(res.status).toBe(401);
    expect(res.body.flows).toEqual([{ stages: ['m.login.dummy'] }]);
    expect(res.body.session).toBeTypeOf('string');
    expect(res.body.params).toEqual({});
  });

  it('registers with m.login.dummy in the challenged session and returns tokens', async () => {
    const name = uniqueName();
    const first = await api('POST', REGISTER, { body: { username: name, password: 'pw' } });
    const res = await api('POST', REGISTER, {
      body: {
        username: name,
        password: 'pw',
        device_id: 'MYDEVICE',
        initial_device_display_name: 'Laptop',
        auth: { type: 'm.login.dummy', session: first.body.session },
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.user_id).toBe(`@${name}:${SERVER_NAME}`);
    expect(res.body.device_id).toBe('MYDEVICE');
    expect(res.body.access_token.length).toBeGreaterThanOrEqual(43);
    const devices = await api('GET', '/_matrix/client/v3/devices', { token: res.body.access_token });
    expect(devices.body.devices).toMatchObject([{ device_id: 'MYDEVICE', display_name: 'Laptop' }]);
  });

  it('lower-cases the requested username', async () => {
    const name = uniqueName('Mixed');
    const res = await api('POST', REGISTER, { body: { username: name, password: 'pw', auth: { type: 'm.login.dummy' } } });
    expect(res.body.user_id).toBe(`@${name.toLowerCase()}:${SERVER_NAME}`);
  });

  it('rejects invalid usernames with M_INVALID_USERNAME before asking for auth', async () => {
    const res = await api('POST', REGISTER, { body: { username: 'no spaces!', password: 'pw' } });
    expect(res.status).toBe(400);
    expect(res.body.errcode).toBe('M_INVALID_USERNAME');
  });

  it('rejects a taken username with M_USER_IN_USE, on register and on /register/available', async () => {
    const user = await registerUser();
    const localpart = user.userId.slice(1).split(':')[0]!;
    const res = await api('POST', REGISTER, { body: { username: localpart, password: 'pw', auth: { type: 'm.login.dummy' } } });
    expect(res.status).toBe(400);
    expect(res.body.errcode).toBe('M_USER_IN_USE');
    const avail = await api('GET', `/_matrix/client/v3/register/available?username=${localpart}`);
    expect(avail.status).toBe(400);
    expect(avail.body.errcode).toBe('M_USER_IN_USE');
    const free = await api('GET', `/_matrix/client/v3/register/available?username=${uniqueName()}`);
    expect(free.body).toEqual({ available: true });
  });

  it('with inhibit_login returns only the user ID', async () => {
    const res = await api('POST', REGISTER, {
      body: { username: uniqueName(), password: 'pw', inhibit_login: true, auth: { type: 'm.login.dummy' } },
    });
    expect(res.status).toBe(200);
    expect(res.body.access_token).toBeUndefined();
    expect(res.body.device_id).toBeUndefined();
  });

  it('generates a user ID when no username is given', async () => {
    const res = await api('POST', REGISTER, { body: { password: 'pw', auth: { type: 'm.login.dummy' } } });
    expect(res.status).toBe(200);
    expect(res.body.user_id).toMatch(/^@[a-z0-9]+:localhost:8008$/);
  });

  it('refuses guest registration with M_GUEST_ACCESS_FORBIDDEN', async () => {
    const res = await api('POST', `${REGISTER}?kind=guest`, { body: {} });
    expect(res.status).toBe(403);
    expect(res.body.errcode).toBe('M_GUEST_ACCESS_FORBIDDEN');
  });

  it('answers malformed JSON with M_NOT_JSON and a wrong shape with M_BAD_JSON naming the field', async () => {
    const notJson = await api('POST', REGISTER, { rawBody: '{"username": ', headers: { 'Content-Type': 'application/json' } });
    expect(notJson.status).toBe(400);
    expect(notJson.body.errcode).toBe('M_NOT_JSON');
    const bad = await api('POST', REGISTER, { body: { username: 42 } });
    expect(bad.status).toBe(400);
    expect(bad.body.errcode).toBe('M_BAD_JSON');
    expect(bad.body.error).toContain('username');
    const array = await api('POST', REGISTER, { body: [1, 2] });
    expect(array.body.errcode).toBe('M_BAD_JSON');
  });

  it('refuses an unknown registration token validity check when registration is not token-gated', async () => {
    const res = await api('GET', '/_matrix/client/v1/register/m.login.registration_token/validity?token=abc');
    expect(res.status).toBe(403);
    expect(res.body.errcode).toBe('M_FORBIDDEN');
  });

  it('stores tokens and passwords only as hashes', async () => {
    const user = await registerUser();
    const tokens = await env.DB.prepare('SELECT token_hash FROM access_tokens WHERE user_id = ?1').bind(user.userId).all();
    expect(tokens.results.length).toBe(1);
    expect(JSON.stringify(tokens.results)).not.toContain(user.accessToken);
    const row = await env.DB.prepare('SELECT password_hash FROM users WHERE user_id = ?1').bind(user.userId).first<any>();
    expect(row.password_hash).toMatch(/^\$pbkdf2-sha256\$i=100000\$/);
    expect(row.password_hash).not.toContain(user.password);
  });
});

describe('login', () => {
  it('lists the password flow', async () => {
    const res = await api('GET', LOGIN);
    expect(res.body.flows).toEqual([{ type: 'm.login.password' }]);
  });

  it('accepts a localpart, a full user ID in any case, and the deprecated top-level user', async () => {
    const user = await registerUser();
    const localpart = user.userId.slice(1).split(':')[0]!;
    for (const body of [
      { type: 'm.login.password', identifier: { type: 'm.id.user', user: localpart }, password: user.password },
      { type: 'm.login.password', identifier: { type: 'm.id.user', user: user.userId.toUpperCase().replace('LOCALHOST', 'localhost') }, password: user.password },
      { type: 'm.login.password', user: localpart.toUpperCase(), password: user.password },
    ]) {
      const res = await api('POST', LOGIN, { body });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.user_id).toBe(user.userId);
      expect(res.body.device_id).toBeTypeOf('string');
    }
  });

  it('upgrades a password hash made with other parameters at the next successful login', async () => {
    const user = await registerUser();
    await env.DB.prepare('UPDATE users SET password_hash = ?2 WHERE user_id = ?1')
      .bind(user.userId, await hashPassword(user.password, 20_000))
      .run();
    const res = await api('POST', LOGIN, { body: { type: 'm.login.password', user: user.userId, password: user.password } });
    expect(res.status).toBe(200);
    const row = await env.DB.prepare('SELECT password_hash FROM users WHERE user_id = ?1').bind(user.userId).first<any>();
    expect(row.password_hash).toMatch(/^\$pbkdf2-sha256\$i=100000\$/);
  });

  it('refuses a wrong password or unknown user with 403 M_FORBIDDEN', async () => {
    const user = await registerUser();
    const wrong = await api('POST', LOGIN, { body: { type: 'm.login.password', user: user.userId, password: 'nope' } });
    expect(wrong.status).toBe(403);
    expect(wrong.body.errcode).toBe('M_FORBIDDEN');
    const unknown = await api('POST', LOGIN, { body: { type: 'm.login.password', user: 'nobody-here', password: 'x' } });
    expect(unknown.status).toBe(403);
  });

  it('re-uses a given device ID and revokes the tokens it had', async () => {
    const user = await registerUser();
    const body = { type: 'm.login.password', user: user.userId, password: user.password, device_id: 'PHONE' };
    const a = await api('POST', LOGIN, { body });
    const b = await api('POST', LOGIN, { body });
    expect(b.body.device_id).toBe('PHONE');
    expect((await api('GET', '/_matrix/client/v3/account/whoami', { token: a.body.access_token })).status).toBe(401);
    expect((await api('GET', '/_matrix/client/v3/account/whoami', { token: b.body.access_token })).status).toBe(200);
    const devices = await api('GET', '/_matrix/client/v3/devices', { token: b.body.access_token });
    expect(devices.body.devices.filter((d: any) => d.device_id === 'PHONE')).toHaveLength(1);
  });
});

describe('access tokens', () => {
  it('whoami answers user_id, device_id and is_guest; the query parameter works too', async () => {
    const user = await registerUser();
    const res = await api('GET', '/_matrix/client/v3/account/whoami', { token: user.accessToken });
    expect(res.body).toEqual({ user_id: user.userId, device_id: user.deviceId, is_guest: false });
    const viaQuery = await api('GET', `/_matrix/client/v3/account/whoami?access_token=${user.accessToken}`);
    expect(viaQuery.status).toBe(200);
  });

  it('answers a missing token with 401 M_MISSING_TOKEN and an unknown one with 401 M_UNKNOWN_TOKEN', async () => {
    const missing = await api('GET', '/_matrix/client/v3/account/whoami');
    expect(missing.status).toBe(401);
    expect(missing.body.errcode).toBe('M_MISSING_TOKEN');
    const unknown = await api('GET', '/_matrix/client/v3/account/whoami', { token: 'cat_nonsense' });
    expect(unknown.status).toBe(401);
    expect(unknown.body).toMatchObject({ errcode: 'M_UNKNOWN_TOKEN', soft_logout: false });
  });

  it('issues refresh tokens on request; an expired access token is a soft logout; refresh rotates both', async () => {
    const name = uniqueName();
    const reg = await api('POST', REGISTER, {
      body: { username: name, password: 'pw', refresh_token: true, auth: { type: 'm.login.dummy' } },
    });
    expect(reg.body.refresh_token).toBeTypeOf('string');
    expect(reg.body.expires_in_ms).toBe(300000);
    await env.DB.prepare('UPDATE access_tokens SET expires_ts = 1 WHERE user_id = ?1').bind(reg.body.user_id).run();
    const expired = await api('GET', '/_matrix/client/v3/account/whoami', { token: reg.body.access_token });
    expect(expired.status).toBe(401);
    expect(expired.body).toMatchObject({ errcode: 'M_UNKNOWN_TOKEN', soft_logout: true });

    const refreshed = await api('POST', '/_matrix/client/v3/refresh', { body: { refresh_token: reg.body.refresh_token } });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).not.toBe(reg.body.refresh_token);
    const ok = await api('GET', '/_matrix/client/v3/account/whoami', { token: refreshed.body.access_token });
    expect(ok.body.device_id).toBe(reg.body.device_id);
    const reused = await api('POST', '/_matrix/client/v3/refresh', { body: { refresh_token: reg.body.refresh_token } });
    expect(reused.status).toBe(401);
    expect(reused.body.errcode).toBe('M_UNKNOWN_TOKEN');
  });

  it('logout revokes the token and deletes the device; logout/all revokes every device', async () => {
    const user = await registerUser();
    expect((await api('POST', '/_matrix/client/v3/logout', { token: user.accessToken })).status).toBe(200);
    expect((await api('GET', '/_matrix/client/v3/account/whoami', { token: user.accessToken })).body.errcode).toBe(
      'M_UNKNOWN_TOKEN',
    );
    const login = (device: string) =>
      api('POST', LOGIN, { body: { type: 'm.login.password', user: user.userId, password: user.password, device_id: device } });
    const a = await login('A');
    const b = await login('B');
    expect((await api('POST', '/_matrix/client/v3/logout/all', { token: a.body.access_token })).status).toBe(200);
    for (const t of [a.body.access_token, b.body.access_token]) {
      expect((await api('GET', '/_matrix/client/v3/account/whoami', { token: t })).status).toBe(401);
    }
    const c = await login('C');
    const devices = await api('GET', '/_matrix/client/v3/devices', { token: c.body.access_token });
    expect(devices.body.devices.map((d: any) => d.device_id)).toEqual(['C']);
  });
});

describe('account management', () => {
  it('changes the password through UIA and logs out other devices by default', async () => {
    const user = await registerUser();
    const other = await api('POST', LOGIN, { body: { type: 'm.login.password', user: user.userId, password: user.password } });
    const challenge = await api('POST', '/_matrix/client/v3/account/password', {
      token: user.accessToken,
      body: { new_password: 'new secret' },
    });
    expect(challenge.status).toBe(401);
    expect(challenge.body.flows).toEqual([{ stages: ['m.login.password'] }]);
    const wrong = await api('POST', '/_matrix/client/v3/account/password', {
      token: user.accessToken,
      body: {
        new_password: 'new secret',
        auth: { type: 'm.login.password', session: challenge.body.session, identifier: { type: 'm.id.user', user: user.userId }, password: 'wrong' },
      },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.errcode).toBe('M_FORBIDDEN');
    const res = await api('POST', '/_matrix/client/v3/account/password', {
      token: user.accessToken,
      body: {
        new_password: 'new secret',
        auth: { type: 'm.login.password', session: challenge.body.session, identifier: { type: 'm.id.user', user: user.userId }, password: user.password },
      },
    });
    expect(res.status).toBe(200);
    expect((await api('GET', '/_matrix/client/v3/account/whoami', { token: other.body.access_token })).status).toBe(401);
    expect((await api('GET', '/_matrix/client/v3/account/whoami', { token: user.accessToken })).status).toBe(200);
    const oldPw = await api('POST', LOGIN, { body: { type: 'm.login.password', user: user.userId, password: user.password } });
    expect(oldPw.status).toBe(403);
    const newPw = await api('POST', LOGIN, { body: { type: 'm.login.password', user: user.userId, password: 'new secret' } });
    expect(newPw.status).toBe(200);
  });

  it('deactivation ends every session, refuses login, and never frees the name', async () => {
    const user = await registerUser();
    const localpart = user.userId.slice(1).split(':')[0]!;
    const res = await api('POST', '/_matrix/client/v3/account/deactivate', {
      token: user.accessToken,
      body: { auth: { type: 'm.login.password', user: user.userId, password: user.password } },
    });
    expect(res.status).toBe(200);
    expect(res.body.id_server_unbind_result).toBe('no-support');
    expect((await api('GET', '/_matrix/client/v3/account/whoami', { token: user.accessToken })).status).toBe(401);
    const login = await api('POST', LOGIN, { body: { type: 'm.login.password', user: user.userId, password: user.password } });
    expect(login.status).toBe(403);
    const again = await api('POST', REGISTER, { body: { username: localpart, password: 'x', auth: { type: 'm.login.dummy' } } });
    expect(again.body.errcode).toBe('M_USER_IN_USE');
  });

  it('lists no third-party identifiers and refuses to add one without an identity server', async () => {
    const user = await registerUser();
    expect((await api('GET', '/_matrix/client/v3/account/3pid', { token: user.accessToken })).body).toEqual({ threepids: [] });
    const add = await api('POST', '/_matrix/client/v3/account/3pid/add', { token: user.accessToken, body: {} });
    expect(add.status).toBe(400);
    expect(add.body.errcode).toBe('M_THREEPID_MEDIUM_NOT_SUPPORTED');
  });
});

describe('devices', () => {
  it('gets, renames and (through UIA) deletes a device, revoking its token', async () => {
    const user = await registerUser();
    const second = await api('POST', LOGIN, {
      body: { type: 'm.login.password', user: user.userId, password: user.password, device_id: 'SECOND' },
    });
    expect((await api('PUT', '/_matrix/client/v3/devices/SECOND', { token: user.accessToken, body: { display_name: 'Tablet' } })).status).toBe(200);
    const got = await api('GET', '/_matrix/client/v3/devices/SECOND', { token: user.accessToken });
    expect(got.body).toMatchObject({ device_id: 'SECOND', display_name: 'Tablet' });
    expect((await api('GET', '/_matrix/client/v3/devices/NOPE', { token: user.accessToken })).status).toBe(404);

    const challenge = await api('DELETE', '/_matrix/client/v3/devices/SECOND', { token: user.accessToken });
    expect(challenge.status).toBe(401);
    const del = await api('DELETE', '/_matrix/client/v3/devices/SECOND', {
      token: user.accessToken,
      body: { auth: { type: 'm.login.password', session: challenge.body.session, user: user.userId, password: user.password } },
    });
    expect(del.status).toBe(200);
    const whoami = await api('GET', '/_matrix/client/v3/account/whoami', { token: second.body.access_token });
    expect(whoami.status).toBe(401);
    expect(whoami.body.errcode).toBe('M_UNKNOWN_TOKEN');
  });

  it('deletes several devices with POST /delete_devices', async () => {
    const user = await registerUser();
    for (const d of ['X1', 'X2']) {
      await api('POST', LOGIN, { body: { type: 'm.login.password', user: user.userId, password: user.password, device_id: d } });
    }
    const res = await api('POST', '/_matrix/client/v3/delete_devices', {
      token: user.accessToken,
      body: { devices: ['X1', 'X2'], auth: { type: 'm.login.password', user: user.userId, password: user.password } },
    });
    expect(res.status).toBe(200);
    const devices = await api('GET', '/_matrix/client/v3/devices', { token: user.accessToken });
    expect(devices.body.devices.map((d: any) => d.device_id)).toEqual([user.deviceId]);
  });

  it("cannot complete UIA with another user's password", async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const res = await api('POST', '/_matrix/client/v3/delete_devices', {
      token: alice.accessToken,
      body: { devices: [alice.deviceId], auth: { type: 'm.login.password', user: bob.userId, password: bob.password } },
    });
    expect(res.status).toBe(401);
    expect(res.body.errcode).toBe('M_FORBIDDEN');
  });
});
