// The outbound (SSRF) guard against `wrangler dev`, with a fake DNS-over-HTTPS resolver
// (DNS_RESOLVER_URL) and a listening server on loopback that would answer any request. The
// guard must refuse loopback and private destinations, by IP literal or by a name that
// resolves to one, before connecting: the listening server sees no request at all. A name
// resolving to public addresses passes the check (the connection then fails offline, 502).
// The allow-listed fake identity server at work is test/scenario/third-party-invite.test.ts.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/server.js';

/** A node:http server on loopback (IPv4 and, where the host has it, IPv6) that logs requests. */
class Listener {
  readonly requests: string[] = [];
  private server!: Server;
  port = 0;
  constructor(private readonly answer: (req: IncomingMessage, url: URL) => unknown = () => ({})) {}

  async start(): Promise<void> {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const url = new URL(req.url ?? '/', 'http://listener');
      this.requests.push(`${req.method} ${url.pathname}${url.search}`);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(this.answer(req, url)));
    });
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ port: 0, host: '::', ipv6Only: false }, resolve);
    }).catch(() => new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve)));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** Names the fake resolver knows; anything else is NXDOMAIN. */
const ZONE: Record<string, { A?: string[]; AAAA?: string[] }> = {
  'loopback.guard.example': { A: ['127.0.0.1'] },
  'metadata.guard.example': { A: ['169.254.169.254'] },
  'mixed.guard.example': { A: ['93.184.215.14'], AAAA: ['::1'] },
  'public.guard.example': { A: ['93.184.215.14'], AAAA: ['2606:2800:21f:cb07:6820:80da:af6b:8b2c'] },
};

describe('the outbound guard against a real server', () => {
  const target = new Listener();
  const resolver = new Listener((_req, url) => {
    const name = url.searchParams.get('name') ?? '';
    const type = url.searchParams.get('type') as 'A' | 'AAAA';
    const records = ZONE[name];
    if (!records) return { Status: 3, Answer: [] };
    return { Status: 0, Answer: (records[type] ?? []).map((data) => ({ name, type: type === 'A' ? 1 : 28, TTL: 300, data })) };
  });
  let server: RunningServer;
  let token: string;
  let roomId: string;

  beforeAll(async () => {
    await target.start();
    await resolver.start();
    server = await startServer({
      vars: {
        DNS_RESOLVER_URL: `http://127.0.0.1:${resolver.port}/dns-query`,
        // The listening server's port is allowed, so only the address can be what refuses it.
        OUTBOUND_ALLOW_PORTS: `443,${target.port}`,
      },
    });
    const reg = await api('POST', '/_matrix/client/v3/register', undefined, { username: 'alice', password: 'alice password 123', auth: { type: 'm.login.dummy' } });
    token = reg.body.access_token;
    roomId = (await api('POST', '/_matrix/client/v3/createRoom', token, {})).body.room_id;
  });
  afterAll(async () => {
    await server?.stop({ wipe: true });
    await target.stop();
    await resolver.stop();
  });

  async function api(method: string, path: string, auth?: string, body?: unknown): Promise<{ status: number; body: any }> {
    const res = await fetch(`${server.baseUrl}${path}`, {
      method,
      headers: { ...(auth ? { Authorization: `Bearer ${auth}` } : {}), ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: await res.json() };
  }
  const invite = (idServer: string) =>
    api('POST', `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/invite`, token, { id_server: idServer, id_access_token: 't', medium: 'email', address: 'a@example.org' });
  const queriesFor = (name: string) => resolver.requests.filter((r) => r.includes(`name=${name}&`)).length;

  it('refuses a listening loopback server by IP literal, whatever its form, and never connects to it', async () => {
    for (const host of ['127.0.0.1', '[::1]', '2130706433', '0x7f.1', '[::ffff:127.0.0.1]', 'localhost']) {
      const res = await invite(`${host}:${target.port}`);
      expect(res.status, `${host}: ${JSON.stringify(res.body)}`).toBe(403);
      expect(res.body.errcode).toBe('M_FORBIDDEN');
      expect(res.body.error).toMatch(/loopback/);
    }
    expect(target.requests).toEqual([]);
  });

  it('refuses names that resolve to loopback, link-local or any non-public address among public ones', async () => {
    const cases: [string, RegExp][] = [
      [`loopback.guard.example:${target.port}`, /resolves to 127\.0\.0\.1, which is not a public address \(loopback\)/],
      ['metadata.guard.example', /resolves to 169\.254\.169\.254.*link-local/],
      [`mixed.guard.example:${target.port}`, /resolves to ::1.*loopback/],
    ];
    for (const [idServer, why] of cases) {
      const res = await invite(idServer);
      expect(res.status, JSON.stringify(res.body)).toBe(403);
      expect(res.body.error).toMatch(why);
    }
    // Both record types were asked for, through the configured resolver.
    expect(resolver.requests).toContain('GET /dns-query?name=loopback.guard.example&type=A');
    expect(resolver.requests).toContain('GET /dns-query?name=loopback.guard.example&type=AAAA');
    expect(target.requests).toEqual([]);
  });

  it('lets a name with only public addresses through the check (offline, the connection itself then fails: 502)', async () => {
    const res = await invite('public.guard.example');
    expect(res.status, JSON.stringify(res.body)).toBe(502);
    expect(res.body.errcode).toBe('M_UNKNOWN');
    expect(res.body.error).toMatch(/hash_details failed: public\.guard\.example: (could not connect|timed out)/);
  });

  it('keeps answers for their TTL: asking again resolves nothing more', async () => {
    const before = queriesFor('public.guard.example');
    expect(before).toBe(2);
    expect((await invite('public.guard.example')).status).toBe(502);
    expect(queriesFor('public.guard.example')).toBe(before);
  });

  it('answers 502 for a name that does not exist, and 403 for a port not allowed, asking no resolver for the latter', async () => {
    const missing = await invite('nowhere.guard.example');
    expect(missing.status).toBe(502);
    expect(missing.body.error).toMatch(/the name has no address/);
    const port = await invite('public.guard.example:8443');
    expect(port.status).toBe(403);
    expect(port.body.error).toMatch(/port 8443 is not allowed \(allowed: 443, \d+\)/);
  });

  it('creates no room when an invite_3pid id_server resolves to loopback', async () => {
    const rooms = async () => (await api('GET', '/_matrix/client/v3/joined_rooms', token)).body.joined_rooms;
    const before = await rooms();
    const res = await api('POST', '/_matrix/client/v3/createRoom', token, {
      invite_3pid: [{ id_server: 'loopback.guard.example', id_access_token: 't', medium: 'email', address: 'b@example.org' }],
    });
    expect(res.status).toBe(403);
    expect(res.body.error).toMatch(/id_server.*loopback/);
    expect(await rooms()).toEqual(before);
    expect(target.requests).toEqual([]);
  });
});
