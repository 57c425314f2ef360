import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config.js';
import { api } from './helpers.js';

const base = { SERVER_NAME: 'example.com' };

describe('configuration', () => {
  it('derives the public base URL from the server name (https, or http for localhost)', () => {
    expect(parseConfig(base).publicBaseUrl).toBe('https://example.com');
    expect(parseConfig({ SERVER_NAME: 'localhost:8448' }).publicBaseUrl).toBe('http://localhost:8448');
    expect(parseConfig({ ...base, PUBLIC_BASEURL: 'https://matrix.example.com/' }).publicBaseUrl).toBe(
      'https://matrix.example.com',
    );
  });

  it('defaults to token-gated registration and the documented limits', () => {
    const config = parseConfig(base);
    expect(config.registration).toBe('token');
    expect(config.maxRequestBytes).toBe(1_048_576);
    expect(config.rateLimits.login).toEqual({ burst: 10, periodMs: 60_000 });
    expect(config.passwordHashIterations).toBe(100_000);
  });

  it.each([
    [{ SERVER_NAME: 'not a server name!' }, 'SERVER_NAME'],
    [{ ...base, REGISTRATION: 'sometimes' }, 'REGISTRATION'],
    [{ ...base, MAX_REQUEST_BYTES: 'lots' }, 'MAX_REQUEST_BYTES'],
    [{ ...base, RATE_LIMIT_LOGIN: 'fast' }, 'RATE_LIMIT_LOGIN'],
    [{ ...base, PASSWORD_HASH_ITERATIONS: '1000000' }, 'PASSWORD_HASH_ITERATIONS'],
    [{ ...base, PUBLIC_BASEURL: 'ftp://x' }, 'PUBLIC_BASEURL'],
  ])('fails with a message naming the bad variable (%o)', (env, name) => {
    expect(() => parseConfig(env)).toThrow(ConfigError);
    expect(() => parseConfig(env)).toThrow(new RegExp(`${name}:`));
  });
});

describe('request body limits', () => {
  it('refuses a streamed JSON body past the limit with 413 M_TOO_LARGE, without a Content-Length', async () => {
    const chunk = new TextEncoder().encode(`{"username":"${'a'.repeat(64 * 1024)}`);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > 2 * 1024 * 1024) return controller.close();
        sent += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const res = await api('POST', '/_matrix/client/v3/register', { rawBody: stream, headers: { 'Content-Type': 'application/json' } });
    expect(res.status).toBe(413);
    expect(res.body.errcode).toBe('M_TOO_LARGE');
  });
});
