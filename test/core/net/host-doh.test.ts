// The guard's pure helpers beside the classifier: what a URL host names (src/core/net/host.ts)
// and DNS-over-HTTPS JSON answers (src/core/net/doh.ts).
import { describe, expect, it } from 'vitest';
import { parseDohJson } from '../../../src/core/net/doh.js';
import { classifyHost } from '../../../src/core/net/host.js';

describe('classifyHost', () => {
  it('classifies IP literals, including IPv6 in brackets as URL.hostname gives it', () => {
    expect(classifyHost('127.0.0.1')).toMatchObject({ kind: 'ip', class: { public: false, range: 'loopback' } });
    expect(classifyHost('[::1]')).toMatchObject({ kind: 'ip', class: { public: false, range: 'loopback' } });
    expect(classifyHost('8.8.8.8')).toMatchObject({ kind: 'ip', class: { public: true } });
  });

  it('gives DNS names lower-cased and without the trailing dot', () => {
    expect(classifyHost('ID.Example.ORG.')).toEqual({ kind: 'name', name: 'id.example.org' });
    expect(classifyHost('xn--bcher-kva.example')).toEqual({ kind: 'name', name: 'xn--bcher-kva.example' });
  });

  it('refuses localhost names, names without a dot, and what is not a DNS name', () => {
    for (const host of ['localhost', 'LOCALHOST.', 'evil.localhost', 'metadata', 'intranet.', 'a..b', 'a b.example']) {
      expect(classifyHost(host).kind, host).toBe('refused-name');
    }
  });
});

describe('parseDohJson', () => {
  const answer = (records: unknown[], status = 0) => ({ Status: status, TC: false, Question: [{ name: 'id.example.org', type: 1 }], Answer: records });

  it('gives the records of the type asked for, with the smallest TTL, skipping CNAMEs', () => {
    const body = answer([
      { name: 'id.example.org', type: 5, TTL: 30, data: 'alias.example.net.' },
      { name: 'alias.example.net', type: 1, TTL: 300, data: '93.184.215.14' },
      { name: 'alias.example.net', type: 1, TTL: 120, data: '93.184.215.15' },
      { name: 'alias.example.net', type: 28, TTL: 10, data: '2606:2800::1' },
    ]);
    expect(parseDohJson(body, 'A')).toEqual({ ok: true, addresses: ['93.184.215.14', '93.184.215.15'], ttlSeconds: 120 });
    expect(parseDohJson(body, 'AAAA')).toEqual({ ok: true, addresses: ['2606:2800::1'], ttlSeconds: 10 });
  });

  it('reads NXDOMAIN and no-data answers as no addresses, kept for the authority TTL', () => {
    expect(parseDohJson({ Status: 3, Authority: [{ type: 6, TTL: 900, data: 'soa' }] }, 'A')).toEqual({ ok: true, addresses: [], ttlSeconds: 900 });
    expect(parseDohJson({ Status: 0 }, 'AAAA')).toEqual({ ok: true, addresses: [], ttlSeconds: 60 });
  });

  it('fails on resolver errors and on bodies that are not DNS JSON', () => {
    expect(parseDohJson({ Status: 2 }, 'A')).toEqual({ ok: false, error: 'the resolver answered DNS error 2' });
    expect(parseDohJson('<html>', 'A').ok).toBe(false);
    expect(parseDohJson({ Status: 0, Answer: [{ type: 1, data: 5 }] }, 'A').ok).toBe(false);
  });
});
