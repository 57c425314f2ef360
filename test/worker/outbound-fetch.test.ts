// The outbound guard's own behaviour inside workerd (src/platform/net/outbound.ts, dns.ts),
// with the network replaced by a recording fake so that every connection the guard makes or
// refuses to make is visible: DNS-over-HTTPS answers and their caching, redirects re-checked
// hop by hop, response size caps. The same guard through HTTP is in outbound-guard.test.ts
// and, with a real fake resolver and identity server, test/scenario/outbound-guard.test.ts.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type OutboundPolicy, checkOutbound, guardedFetch, readBody } from '../../src/platform/net/outbound.js';

const RESOLVER = 'https://doh.resolver.example/dns-query';
const policy: OutboundPolicy = { enabled: true, allowHosts: [], allowPorts: [443], resolverUrl: RESOLVER };

/** Every URL fetched, and the fake answers: DNS records by name, and HTTP handlers by origin. */
let fetched: { url: string; method: string; headers: Headers }[];
let records: Map<string, { A?: string[]; AAAA?: string[]; ttl?: number; status?: number }>;
let sites: Map<string, (url: URL, init: RequestInit) => Response>;

beforeEach(() => {
  fetched = [];
  records = new Map();
  sites = new Map();
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(input instanceof Request ? input.url : input);
    fetched.push({ url: url.href, method: init.method ?? 'GET', headers: new Headers(init.headers) });
    if (url.href.startsWith(RESOLVER)) {
      const name = url.searchParams.get('name')!;
      const type = url.searchParams.get('type') as 'A' | 'AAAA';
      const r = records.get(name);
      const answer = (r?.[type] ?? []).map((data) => ({ name, type: type === 'A' ? 1 : 28, TTL: r?.ttl ?? 300, data }));
      return Response.json({ Status: r?.status ?? (r ? 0 : 3), Answer: answer });
    }
    const site = sites.get(url.origin);
    if (!site) throw new TypeError('Network connection lost.');
    return site(url, init);
  });
});
afterEach(() => vi.restoreAllMocks());

const dnsQueries = (name: string) => fetched.filter((f) => f.url.startsWith(RESOLVER) && new URL(f.url).searchParams.get('name') === name).length;

describe('checkOutbound with DNS names', () => {
  it('passes a name whose every A and AAAA record is public, giving the addresses it checked', async () => {
    records.set('id.public.example', { A: ['93.184.215.14'], AAAA: ['2606:2800:21f:cb07:6820:80da:af6b:8b2c'] });
    const checked = await checkOutbound('https://id.public.example/_matrix/identity/v2', policy);
    expect(checked).toMatchObject({ ok: true, port: 443, allowListed: false, addresses: ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'] });
    // Only the resolver was asked: checking connects to nothing else.
    expect(fetched.every((f) => f.url.startsWith(RESOLVER))).toBe(true);
  });

  it.each([
    ['a name resolving to loopback', { A: ['127.0.0.1'] }, /resolves to 127\.0\.0\.1, which is not a public address \(loopback\)/],
    ['a public A record beside a private AAAA one', { A: ['93.184.215.14'], AAAA: ['fd00::5'] }, /resolves to fd00::5.*unique-local/],
    ['the cloud metadata address', { A: ['169.254.169.254'] }, /link-local/],
    ['an IPv4-mapped AAAA record', { AAAA: ['::ffff:10.0.0.1'] }, /private \(inside ipv4-mapped\)/],
    ['a record that is not an address', { A: ['not-an-address'] }, /unparseable/],
  ])('refuses %s', async (_what, answer, why) => {
    const name = `n${Math.random().toString(36).slice(2)}.example`;
    records.set(name, answer);
    const checked = await checkOutbound(`https://${name}/`, policy);
    expect(checked).toMatchObject({ ok: false, kind: 'refused', reason: 'non-public-address' });
    if (!checked.ok) expect(checked.message).toMatch(why);
  });

  it('fails (unavailable, not refused) for names with no address and when the resolver errs', async () => {
    expect(await checkOutbound('https://nowhere.example/', policy)).toMatchObject({ ok: false, kind: 'unavailable', reason: 'no-address' });
    records.set('servfail.example', { status: 2 });
    const failed = await checkOutbound('https://servfail.example/', policy);
    expect(failed).toMatchObject({ ok: false, kind: 'unavailable', reason: 'dns-failed' });
    if (!failed.ok) expect(failed.message).toMatch(/DNS error 2/);
  });

  it('caches an answer for its TTL: a second check asks the resolver nothing', async () => {
    records.set('cached.example', { A: ['93.184.215.14'], AAAA: [], ttl: 300 });
    await checkOutbound('https://cached.example/a', policy);
    await checkOutbound('https://CACHED.example./b', policy);
    expect(dnsQueries('cached.example')).toBe(2); // one A and one AAAA query, once
    records.set('expired.example', { A: ['93.184.215.14'], ttl: 0 });
    await checkOutbound('https://expired.example/', policy);
    await checkOutbound('https://expired.example/', policy);
    expect(dnsQueries('expired.example')).toBe(4); // a TTL of 0 is not kept
  });

  it('resolves nothing for allow-listed hosts, IP literals, or with the guard off', async () => {
    const allowed = await checkOutbound('https://internal.example:8090/', { ...policy, allowHosts: [{ host: 'internal.example', port: 8090 }] });
    expect(allowed).toMatchObject({ ok: true, allowListed: true, port: 8090 });
    expect(await checkOutbound('https://internal.example:8091/', { ...policy, allowHosts: [{ host: 'internal.example', port: 8090 }] })).toMatchObject({ ok: false, reason: 'port' });
    expect(await checkOutbound('https://[2606:4700:4700::1111]/', policy)).toMatchObject({ ok: true, addresses: ['[2606:4700:4700::1111]'] });
    expect(await checkOutbound('http://127.0.0.1:8008/', { ...policy, enabled: false, schemes: ['http:'] })).toMatchObject({ ok: true });
    expect(fetched).toEqual([]);
  });

  it('refuses schemes the caller did not allow, and URLs with credentials', async () => {
    expect(await checkOutbound('http://93.184.215.14/', policy)).toMatchObject({ ok: false, reason: 'scheme' });
    expect(await checkOutbound('ftp://93.184.215.14/', { ...policy, schemes: ['https:', 'http:'] })).toMatchObject({ ok: false, reason: 'scheme' });
    expect(await checkOutbound('https://user:pw@93.184.215.14/', policy)).toMatchObject({ ok: false, reason: 'invalid-url' });
    expect(await checkOutbound('not a url', policy)).toMatchObject({ ok: false, reason: 'invalid-url' });
  });
});

describe('guardedFetch', () => {
  const redirect = (to: string, status = 302) => () => new Response(null, { status, headers: { Location: to } });

  it('re-checks every redirect hop: a redirect to a private address is refused without being fetched', async () => {
    records.set('start.example', { A: ['93.184.215.14'] });
    sites.set('https://start.example', redirect('http://169.254.169.254/latest/meta-data'));
    const r = await guardedFetch('https://start.example/', {}, { policy: { ...policy, schemes: ['https:', 'http:'], allowPorts: [443, 80] }, maxRedirects: 3 });
    expect(r).toMatchObject({ ok: false, kind: 'refused', reason: 'non-public-address' });
    expect(fetched.map((f) => f.url).filter((u) => !u.startsWith(RESOLVER))).toEqual(['https://start.example/']);
  });

  it('follows allowed redirects up to maxRedirects, dropping Authorization off-origin and turning a 303 into a GET', async () => {
    records.set('one.example', { A: ['93.184.215.14'] });
    records.set('two.example', { A: ['93.184.215.15'] });
    sites.set('https://one.example', (url) => (url.pathname === '/start' ? redirect('/moved', 307)() : redirect('https://two.example/final', 303)()));
    sites.set('https://two.example', () => Response.json({ done: true }));
    const r = await guardedFetch('https://one.example/start', { method: 'POST', body: '{}', headers: { Authorization: 'Bearer secret', 'Content-Type': 'application/json' } }, { policy, maxRedirects: 2 });
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.url.href).toBe('https://two.example/final');
    const hops = fetched.filter((f) => !f.url.startsWith(RESOLVER));
    expect(hops.map((h) => [h.url, h.method, h.headers.get('Authorization')])).toEqual([
      ['https://one.example/start', 'POST', 'Bearer secret'],
      ['https://one.example/moved', 'POST', 'Bearer secret'], // 307 keeps the method, same origin keeps the token
      ['https://two.example/final', 'GET', null], // 303 becomes a GET; another origin gets no token
    ]);
  });

  it('fails with too-many-redirects past maxRedirects (0 by default)', async () => {
    records.set('loop.example', { A: ['93.184.215.14'] });
    sites.set('https://loop.example', redirect('/again'));
    expect(await guardedFetch('https://loop.example/', {}, { policy })).toMatchObject({ ok: false, reason: 'too-many-redirects' });
    expect(await guardedFetch('https://loop.example/', {}, { policy, maxRedirects: 2 })).toMatchObject({ ok: false, reason: 'too-many-redirects' });
  });

  it('caps the body: a Content-Length past maxBytes fails before reading, a longer stream fails while reading', async () => {
    records.set('big.example', { A: ['93.184.215.14'] });
    sites.set('https://big.example', (url) =>
      url.pathname === '/declared'
        ? new Response('x'.repeat(2000), { headers: { 'Content-Length': '2000' } })
        : new Response(new Blob(['y'.repeat(2000)]).stream()),
    );
    expect(await guardedFetch('https://big.example/declared', {}, { policy, maxBytes: 1000 })).toMatchObject({ ok: false, reason: 'too-large' });
    const streamed = await guardedFetch('https://big.example/streamed', {}, { policy, maxBytes: 1000 });
    expect(streamed.ok).toBe(true);
    if (streamed.ok) expect(await readBody(streamed)).toMatchObject({ ok: false, reason: 'too-large' });
    const small = await guardedFetch('https://big.example/streamed', {}, { policy, maxBytes: 5000 });
    expect(small.ok).toBe(true);
    if (small.ok) expect(await readBody(small)).toMatchObject({ ok: true, bytes: new TextEncoder().encode('y'.repeat(2000)) });
  });

  it('turns a failed connection into an unavailable failure, never a throw', async () => {
    records.set('down.example', { A: ['93.184.215.14'] });
    expect(await guardedFetch('https://down.example/', {}, { policy })).toMatchObject({ ok: false, kind: 'unavailable', reason: 'connect-failed' });
  });
});
