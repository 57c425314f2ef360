import { describe, expect, it } from 'vitest';
import { api, registerAdmin, uniqueName } from '../worker/helpers.js';

const REGISTER = '/_matrix/client/v3/register';
const TOKENS = '/_synapse/admin/v1/registration_tokens';

// This project runs with REGISTRATION=token and a tight login rate limit (3 per minute).
describe('token-gated registration', () => {
  it('manages tokens through the Synapse-shaped admin API and counts pending and completed uses', async () => {
    const admin = await registerAdmin();
    const created = await api('POST', `${TOKENS}/new`, { token: admin.accessToken, body: { token: 'tok-one', uses_allowed: 1 } });
    expect(created.status).toBe(200);
    expect(created.body).toEqual({ token: 'tok-one', uses_allowed: 1, pending: 0, completed: 0, expiry_time: null });

    const validity = await api('GET', '/_matrix/client/v1/register/m.login.registration_token/validity?token=tok-one');
    expect(validity.body).toEqual({ valid: true });
    expect((await api('GET', '/_matrix/client/v1/register/m.login.registration_token/validity?token=nope')).body).toEqual({
      valid: false,
    });

    const challenge = await api('POST', REGISTER, { body: { username: uniqueName(), password: 'pw' } });
    expect(challenge.status).toBe(401);
    expect(challenge.body.flows).toEqual([{ stages: ['m.login.registration_token'] }]);

    const bad = await api('POST', REGISTER, {
      body: { username: uniqueName(), password: 'pw', auth: { type: 'm.login.registration_token', token: 'nope', session: challenge.body.session } },
    });
    expect(bad.status).toBe(401);

    const name = uniqueName();
    const ok = await api('POST', REGISTER, {
      body: { username: name, password: 'pw', auth: { type: 'm.login.registration_token', token: 'tok-one', session: challenge.body.session } },
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    const after = await api('GET', `${TOKENS}/tok-one`, { token: admin.accessToken });
    expect(after.body).toMatchObject({ pending: 0, completed: 1 });

    // The single use is spent.
    const spent = await api('POST', REGISTER, {
      body: { username: uniqueName(), password: 'pw', auth: { type: 'm.login.registration_token', token: 'tok-one' } },
    });
    expect(spent.status).toBe(401);
    expect(spent.body.errcode).toBe('M_FORBIDDEN');

    const list = await api('GET', `${TOKENS}?valid=false`, { token: admin.accessToken });
    expect(list.body.registration_tokens.map((t: any) => t.token)).toContain('tok-one');
    const updated = await api('PUT', `${TOKENS}/tok-one`, { token: admin.accessToken, body: { uses_allowed: 5 } });
    expect(updated.body.uses_allowed).toBe(5);
    expect((await api('DELETE', `${TOKENS}/tok-one`, { token: admin.accessToken })).status).toBe(200);
    expect((await api('GET', `${TOKENS}/tok-one`, { token: admin.accessToken })).status).toBe(404);
  });

  it('generates random tokens, refuses duplicates and past expiry, and is admin-only', async () => {
    const admin = await registerAdmin();
    const gen = await api('POST', `${TOKENS}/new`, { token: admin.accessToken, body: { length: 20 } });
    expect(gen.body.token).toMatch(/^[A-Za-z0-9._~-]{20}$/);
    const dup = await api('POST', `${TOKENS}/new`, { token: admin.accessToken, body: { token: gen.body.token } });
    expect(dup.status).toBe(400);
    expect(dup.body.errcode).toBe('M_INVALID_PARAM');
    const past = await api('POST', `${TOKENS}/new`, { token: admin.accessToken, body: { expiry_time: 1 } });
    expect(past.body.errcode).toBe('M_INVALID_PARAM');

    const reg = await api('POST', REGISTER, {
      body: { username: uniqueName(), password: 'pw', auth: { type: 'm.login.registration_token', token: gen.body.token } },
    });
    expect(reg.status).toBe(200);
    const notAdmin = await api('GET', TOKENS, { token: reg.body.access_token });
    expect(notAdmin.status).toBe(403);
    expect(notAdmin.body.errcode).toBe('M_FORBIDDEN');
  });
});

describe('shared-secret registration', () => {
  it('refuses a wrong MAC and a reused nonce', async () => {
    const { body } = await api('GET', '/_synapse/admin/v1/register');
    const wrong = await api('POST', '/_synapse/admin/v1/register', {
      body: { nonce: body.nonce, username: uniqueName(), password: 'pw', admin: false, mac: 'deadbeef' },
    });
    expect(wrong.status).toBe(403);
    const reused = await api('POST', '/_synapse/admin/v1/register', {
      body: { nonce: body.nonce, username: uniqueName(), password: 'pw', admin: false, mac: 'deadbeef' },
    });
    expect(reused.status).toBe(400);
  });
});

describe('rate limiting', () => {
  it('answers 429 M_LIMIT_EXCEEDED with retry_after_ms once a client IP exhausts login attempts', async () => {
    const headers = { 'CF-Connecting-IP': '203.0.113.7' };
    const attempt = () =>
      api('POST', '/_matrix/client/v3/login', { headers, body: { type: 'm.login.password', user: 'someone', password: 'x' } });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push(await attempt());
    expect(statuses.slice(0, 3).map((r) => r.status)).toEqual([403, 403, 403]);
    expect(statuses[3]!.status).toBe(429);
    expect(statuses[3]!.body.errcode).toBe('M_LIMIT_EXCEEDED');
    expect(statuses[3]!.body.retry_after_ms).toBeGreaterThan(0);
    expect(statuses[3]!.body.retry_after_ms).toBeLessThanOrEqual(20_000);
    // Another address is not affected.
    const other = await api('POST', '/_matrix/client/v3/login', {
      headers: { 'CF-Connecting-IP': '203.0.113.8' },
      body: { type: 'm.login.password', user: 'someone-else', password: 'x' },
    });
    expect(other.status).toBe(403);
  });
});
