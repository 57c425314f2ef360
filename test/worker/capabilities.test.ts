import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config.js';
import { createApp } from '../../src/http/app.js';
import { hmacSha1Base64 } from '../../src/services/turn.js';
import { BASE, api, hmacSha1Hex, registerUser } from './helpers.js';

/** Calls the real app with extra Worker vars (a fresh env object gets its own parsed config). */
async function fetchWithVars(path: string, token: string, vars: Record<string, string>): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await createApp().fetch(
    new Request(`${BASE}${path}`, { headers: { Authorization: `Bearer ${token}` } }),
    { ...env, ...vars },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

function hexToBase64(hex: string): string {
  return btoa(String.fromCharCode(...hex.match(/../g)!.map((h) => parseInt(h, 16))));
}

describe('GET /capabilities', () => {
  it('lists the capabilities, with room versions 1–12 stable and 12 the default', async () => {
    const alice = await registerUser();
    const res = await api('GET', '/_matrix/client/v3/capabilities', { token: alice.accessToken });
    expect(res.status).toBe(200);
    const caps = res.body.capabilities;
    expect(caps['m.change_password']).toEqual({ enabled: true });
    expect(caps['m.set_displayname']).toEqual({ enabled: true });
    expect(caps['m.set_avatar_url']).toEqual({ enabled: true });
    expect(caps['m.3pid_changes']).toEqual({ enabled: false });
    expect(caps['m.get_login_token']).toEqual({ enabled: false });
    expect(caps['m.profile_fields']).toEqual({ enabled: true });
    expect(caps['m.room_versions'].default).toBe('12');
    expect(caps['m.room_versions'].available).toEqual(
      Object.fromEntries(Array.from({ length: 12 }, (_, i) => [String(i + 1), 'stable'])),
    );
  });

  it('tells a guest it may change only its display name', async () => {
    const guest = await registerUser();
    await env.DB.prepare('UPDATE users SET is_guest = 1 WHERE user_id = ?1').bind(guest.userId).run();
    const caps = (await api('GET', '/_matrix/client/v3/capabilities', { token: guest.accessToken })).body.capabilities;
    expect(caps['m.profile_fields']).toEqual({ enabled: true, allowed: ['displayname'] });
    expect(caps['m.set_displayname']).toEqual({ enabled: true });
    expect(caps['m.set_avatar_url']).toEqual({ enabled: false });
  });

  it('requires an access token', async () => {
    const res = await api('GET', '/_matrix/client/v3/capabilities');
    expect(res.status).toBe(401);
    expect(res.body.errcode).toBe('M_MISSING_TOKEN');
  });
});

describe('GET /voip/turnServer', () => {
  it('answers {} when no TURN server is configured', async () => {
    const alice = await registerUser();
    const res = await api('GET', '/_matrix/client/v3/voip/turnServer', { token: alice.accessToken });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({});
  });

  it('requires an access token', async () => {
    const res = await api('GET', '/_matrix/client/v3/voip/turnServer');
    expect(res.status).toBe(401);
    expect(res.body.errcode).toBe('M_MISSING_TOKEN');
  });

  it('issues coturn use-auth-secret credentials: "expiry:userId" and base64 HMAC-SHA1', async () => {
    const alice = await registerUser();
    const before = Math.floor(Date.now() / 1000);
    const res = await fetchWithVars('/_matrix/client/v3/voip/turnServer', alice.accessToken, {
      TURN_URIS: 'turn:turn.example.com:3478?transport=udp, turns:turn.example.com:443?transport=tcp',
      TURN_SHARED_SECRET: 's3cret',
      TURN_TTL_SECONDS: '3600',
    });
    expect(res.status).toBe(200);
    const body = await res.json<{ username: string; password: string; uris: string[]; ttl: number }>();
    expect(body.uris).toEqual(['turn:turn.example.com:3478?transport=udp', 'turns:turn.example.com:443?transport=tcp']);
    expect(body.ttl).toBe(3600);
    const [expiry, ...rest] = body.username.split(':');
    expect(rest.join(':')).toBe(alice.userId);
    expect(Number(expiry)).toBeGreaterThanOrEqual(before + 3600);
    expect(Number(expiry)).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 3600);
    expect(body.password).toBe(hexToBase64(await hmacSha1Hex('s3cret', body.username)));
  });

  it('hands out a fixed username and password when configured instead of a secret', async () => {
    const alice = await registerUser();
    const res = await fetchWithVars('/_matrix/client/v3/voip/turnServer', alice.accessToken, {
      TURN_URIS: 'turn:turn.example.com',
      TURN_USERNAME: 'turnuser',
      TURN_PASSWORD: 'turnpass',
    });
    expect(await res.json()).toEqual({ username: 'turnuser', password: 'turnpass', uris: ['turn:turn.example.com'], ttl: 86400 });
  });

  it('computes HMAC-SHA1 as RFC 2202 does, in padded base64', async () => {
    // RFC 2202 test case 2.
    expect(await hmacSha1Base64('Jefe', 'what do ya want for nothing?')).toBe(
      hexToBase64('effcdf6ae5eb2fa2d27416d5f184df9c259a7c79'),
    );
    expect((await hmacSha1Base64('k', 'm')).endsWith('=')).toBe(true);
  });
});

describe('TURN configuration', () => {
  const base = { SERVER_NAME: 'example.com' };
  const problem = (vars: Record<string, string>) => {
    try {
      parseConfig({ ...base, ...vars });
      return undefined;
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as Error).message;
    }
  };

  it('is off by default and when TURN_URIS is empty', () => {
    expect(parseConfig(base).turn).toBeUndefined();
    expect(parseConfig({ ...base, TURN_URIS: ' ', TURN_SHARED_SECRET: 'x' }).turn).toBeUndefined();
  });

  it('prefers the shared secret and defaults the TTL to a day', () => {
    expect(parseConfig({ ...base, TURN_URIS: 'turn:a', TURN_SHARED_SECRET: 's', TURN_USERNAME: 'u', TURN_PASSWORD: 'p' }).turn).toEqual({
      uris: ['turn:a'],
      ttlSeconds: 86400,
      auth: { kind: 'shared-secret', secret: 's' },
    });
  });

  it('names the variable at fault', () => {
    expect(problem({ TURN_URIS: 'turn:a' })).toContain('TURN_URIS');
    expect(problem({ TURN_URIS: 'http://a', TURN_SHARED_SECRET: 's' })).toContain('TURN_URIS');
    expect(problem({ TURN_URIS: 'turn:a', TURN_USERNAME: 'u' })).toContain('TURN_PASSWORD');
    expect(problem({ TURN_TTL_SECONDS: 'soon' })).toContain('TURN_TTL_SECONDS');
  });
});

describe('GET /_matrix/client/v1/auth_metadata', () => {
  it('answers 404 M_UNRECOGNIZED: OAuth 2.0 is not supported', async () => {
    const res = await api('GET', '/_matrix/client/v1/auth_metadata');
    expect(res.status).toBe(404);
    expect(res.body.errcode).toBe('M_UNRECOGNIZED');
  });
});
