// Third-party invites end to end against `wrangler dev` and a fake identity server in this
// process (node:http, an Ed25519 key from node:crypto): an address bound to an MXID is
// invited directly; an unbound one is stored at the identity server and becomes an
// m.room.third_party_invite, which the identity server's /3pid/onbind call (with a `signed`
// block it signs) turns into a real invite the user can accept. Forged and revoked signatures
// invite nobody; an identity server that is down or refuses the token is a Matrix error.
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signingPayload } from '../../src/core/crypto/signing.js';
import { startServer, type RunningServer } from '../support/server.js';

const IS_TOKEN = 'is-access-token';
const KEY_ID = 'ed25519:0';

/** An Ed25519 key pair and its public key in unpadded Base64, as identity servers publish them. */
function newKey(): { privateKey: KeyObject; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  return { privateKey, publicKey: raw.toString('base64').replace(/=+$/, '') };
}

interface StoredInvite {
  token: string;
  request: Record<string, any>;
}

/** Just enough of the identity service API v2 for third-party invites. */
class FakeIdentityServer {
  readonly key = newKey();
  readonly pepper = `pepper-${randomBytes(6).toString('hex')}`;
  /** "address medium" → MXID */
  readonly bindings = new Map<string, string>();
  readonly invites: StoredInvite[] = [];
  readonly revoked = new Set<string>();
  /** "METHOD path" of every request, and whether it carried the right Bearer token. */
  readonly log: { call: string; authorised: boolean }[] = [];
  private server!: Server;
  name = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.name = `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server.close(resolve));
  }

  /** The `signed` block for an invite: {mxid, sender, token} signed per "Signing JSON". */
  signed(mxid: string, sender: string, token: string, privateKey = this.key.privateKey) {
    const block = { mxid, sender, token };
    const signature = sign(null, signingPayload(block), privateKey).toString('base64').replace(/=+$/, '');
    return { ...block, signatures: { [this.name]: { [KEY_ID]: signature } } };
  }

  /** Binds an address and notifies the MXID's homeserver of the invites waiting for it. */
  async bind(homeserver: string, medium: string, address: string, mxid: string, privateKey = this.key.privateKey) {
    this.bindings.set(`${address} ${medium}`, mxid);
    const invites = this.invites
      .filter((i) => i.request.medium === medium && i.request.address === address)
      .map((i) => ({ medium, address, mxid, room_id: i.request.room_id, sender: i.request.sender, signed: this.signed(mxid, i.request.sender, i.token, privateKey) }));
    const res = await fetch(`${homeserver}/_matrix/federation/v1/3pid/onbind`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ medium, address, mxid, invites }),
    });
    return { status: res.status, body: (await res.json()) as any };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${this.name}`);
    const authorised = req.headers.authorization === `Bearer ${IS_TOKEN}`;
    this.log.push({ call: `${req.method} ${url.pathname}`, authorised });
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
    const reply = (status: number, json: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(json));
    };
    const base = '/_matrix/identity/v2';
    if (url.pathname === `${base}/pubkey/isvalid`) {
      const key = url.searchParams.get('public_key') ?? '';
      return reply(200, { valid: key === this.key.publicKey && !this.revoked.has(key) });
    }
    if (!authorised) return reply(401, { errcode: 'M_UNAUTHORIZED', error: 'Unrecognised access token' });
    if (req.method === 'GET' && url.pathname === `${base}/hash_details`) {
      return reply(200, { lookup_pepper: this.pepper, algorithms: ['none', 'sha256'] });
    }
    if (req.method === 'POST' && url.pathname === `${base}/lookup`) {
      if (body.pepper !== this.pepper) return reply(400, { errcode: 'M_INVALID_PEPPER', error: 'Unknown or invalid pepper' });
      if (body.algorithm !== 'sha256') return reply(400, { errcode: 'M_INVALID_PARAM', error: 'expected sha256' });
      const mappings: Record<string, string> = {};
      for (const [query, mxid] of this.bindings) {
        const hash = createHash('sha256').update(`${query} ${this.pepper}`).digest('base64url');
        if (body.addresses.includes(hash)) mappings[hash] = mxid;
      }
      return reply(200, { mappings });
    }
    if (req.method === 'POST' && url.pathname === `${base}/store-invite`) {
      const token = randomBytes(12).toString('hex');
      this.invites.push({ token, request: body });
      const [local, domain] = String(body.address).split('@');
      return reply(200, {
        token,
        public_keys: [{ public_key: this.key.publicKey, key_validity_url: `http://${this.name}${base}/pubkey/isvalid` }],
        display_name: `${local![0]}...@${domain![0]}...`,
      });
    }
    reply(404, { errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' });
  }
}

/** A loopback port nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  return port;
}

describe('third-party invites through an identity server', () => {
  let server: RunningServer;
  const is = new FakeIdentityServer();
  type User = { userId: string; token: string };
  let alice: User, bob: User, carol: User, dave: User, erin: User;
  let downPort: number;

  beforeAll(async () => {
    await is.start();
    downPort = await closedPort();
    // The fake identity server and the one that is down are on loopback: allow-listed for the
    // outbound guard, which refuses every other loopback destination.
    server = await startServer({ vars: { IDENTITY_SERVER_INSECURE_HTTP: 'true', OUTBOUND_ALLOW_HOSTS: `${is.name},127.0.0.1:${downPort}` } });
    alice = await register('alice');
    bob = await register('bob');
    carol = await register('carol');
    dave = await register('dave');
    erin = await register('erin');
  });
  afterAll(async () => {
    await server?.stop({ wipe: true });
    await is.stop();
  });

  async function api(method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; body: any }> {
    const res = await fetch(`${server.baseUrl}${path}`, {
      method,
      headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: await res.json() };
  }

  async function register(username: string): Promise<{ userId: string; token: string }> {
    const res = await api('POST', '/_matrix/client/v3/register', undefined, {
      username,
      password: `${username} password 123`,
      auth: { type: 'm.login.dummy' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return { userId: res.body.user_id, token: res.body.access_token };
  }

  const room = (roomId: string, rest: string) => `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}${rest}`;
  const invite3pid = (address: string, idServer = is.name, token = IS_TOKEN) => ({ id_server: idServer, id_access_token: token, medium: 'email', address });
  const memberOf = async (viewer: string, roomId: string, userId: string) =>
    api('GET', room(roomId, `/state/m.room.member/${encodeURIComponent(userId)}`), viewer);
  const tokensFor = (address: string) => is.invites.filter((i) => i.request.address === address).map((i) => i.token);

  it('invites the MXID an address is bound to, asking the identity server with hashed lookups', async () => {
    is.bindings.set('bob@example.org email', bob.userId);
    const { body: created } = await api('POST', '/_matrix/client/v3/createRoom', alice.token, { preset: 'private_chat', name: 'Book club' });

    is.log.length = 0;
    const res = await api('POST', room(created.room_id, '/invite'), alice.token, invite3pid('bob@example.org'));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({});
    expect((await memberOf(alice.token, created.room_id, bob.userId)).body.membership).toBe('invite');
    // hash_details then lookup, both with the id_access_token; nothing stored.
    expect(is.log).toEqual([
      { call: 'GET /_matrix/identity/v2/hash_details', authorised: true },
      { call: 'POST /_matrix/identity/v2/lookup', authorised: true },
    ]);
    expect(tokensFor('bob@example.org')).toEqual([]);
  });

  let roomId: string;
  it('stores an invite for an unbound address and puts an m.room.third_party_invite in the room state', async () => {
    const { body: created } = await api('POST', '/_matrix/client/v3/createRoom', alice.token, { preset: 'private_chat', name: 'Book club 2' });
    roomId = created.room_id;
    const res = await api('POST', room(roomId, '/invite'), alice.token, invite3pid('carol@example.org'));
    expect(res.status, JSON.stringify(res.body)).toBe(200);

    const [stored] = is.invites.filter((i) => i.request.address === 'carol@example.org');
    expect(stored!.request).toMatchObject({
      medium: 'email',
      address: 'carol@example.org',
      room_id: roomId,
      sender: alice.userId,
      room_name: 'Book club 2',
      room_join_rules: 'invite',
      sender_display_name: 'alice',
    });
    const state = await api('GET', room(roomId, `/state/m.room.third_party_invite/${stored!.token}`), alice.token);
    expect(state.status).toBe(200);
    const keyValidityUrl = `http://${is.name}/_matrix/identity/v2/pubkey/isvalid`;
    expect(state.body).toEqual({
      display_name: 'c...@e...',
      public_key: is.key.publicKey,
      key_validity_url: keyValidityUrl,
      public_keys: [{ public_key: is.key.publicKey, key_validity_url: keyValidityUrl }],
    });
    // The address itself is in no event.
    const full = await api('GET', room(roomId, '/state'), alice.token);
    expect(JSON.stringify(full.body)).not.toContain('carol@example.org');
    expect((await memberOf(alice.token, roomId, carol.userId)).status).toBe(404);
  });

  it('turns the stored invite into a real invite when the identity server calls /3pid/onbind, and the user joins', async () => {
    const bound = await is.bind(server.baseUrl, 'email', 'carol@example.org', carol.userId);
    expect(bound).toEqual({ status: 200, body: {} });

    const member = await memberOf(alice.token, roomId, carol.userId);
    expect(member.body).toMatchObject({
      membership: 'invite',
      third_party_invite: { display_name: 'c...@e...', signed: { mxid: carol.userId, sender: alice.userId, token: tokensFor('carol@example.org')[0] } },
    });
    // Carol sees the invite in /sync, and accepts it.
    const sync = await api('GET', '/_matrix/client/v3/sync?timeout=0', carol.token);
    expect(Object.keys(sync.body.rooms?.invite ?? {})).toContain(roomId);
    expect((await api('POST', room(roomId, '/join'), carol.token, {})).status).toBe(200);
    expect((await memberOf(alice.token, roomId, carol.userId)).body.membership).toBe('join');
    // A repeated notification changes nothing.
    expect(await is.bind(server.baseUrl, 'email', 'carol@example.org', carol.userId)).toEqual({ status: 200, body: {} });
    expect((await memberOf(alice.token, roomId, carol.userId)).body.membership).toBe('join');
  });

  it('invites nobody when the signed block is signed by a key the room does not know, or by a revoked key', async () => {
    expect((await api('POST', room(roomId, '/invite'), alice.token, invite3pid('dave@example.org'))).status).toBe(200);
    const forged = await is.bind(server.baseUrl, 'email', 'dave@example.org', dave.userId, newKey().privateKey);
    expect(forged.status).toBe(403);
    expect(forged.body.errcode).toBe('M_FORBIDDEN');
    expect(forged.body.error).toMatch(/no signature in signed matches a public key/);
    expect((await memberOf(alice.token, roomId, dave.userId)).status).toBe(404);

    // The right key, but the identity server says it is no longer valid.
    is.revoked.add(is.key.publicKey);
    try {
      const revoked = await is.bind(server.baseUrl, 'email', 'dave@example.org', dave.userId);
      expect(revoked.status).toBe(403);
      expect(revoked.body.error).toMatch(/revoked/);
      expect((await memberOf(alice.token, roomId, dave.userId)).status).toBe(404);
    } finally {
      is.revoked.delete(is.key.publicKey);
    }
    // Signed properly and valid: now the invite goes through.
    expect((await is.bind(server.baseUrl, 'email', 'dave@example.org', dave.userId)).status).toBe(200);
    expect((await memberOf(alice.token, roomId, dave.userId)).body.membership).toBe('invite');
  });

  it('answers a Matrix error, not a 500, when the identity server is down or refuses the token', async () => {
    const down = await api('POST', room(roomId, '/invite'), alice.token, invite3pid('frank@example.org', `127.0.0.1:${downPort}`));
    expect(down.status).toBe(502);
    expect(down.body.errcode).toBe('M_UNKNOWN');

    const refused = await api('POST', room(roomId, '/invite'), alice.token, invite3pid('frank@example.org', is.name, 'wrong-token'));
    expect(refused.status).toBe(403);
    expect(refused.body.errcode).toBe('M_FORBIDDEN');
    expect(refused.body.error).toContain('M_UNAUTHORIZED');
    expect(tokensFor('frank@example.org')).toEqual([]);
  });

  it('sends createRoom invite_3pid entries once the room exists', async () => {
    is.bindings.set('erin@example.org email', erin.userId);
    const res = await api('POST', '/_matrix/client/v3/createRoom', alice.token, {
      preset: 'trusted_private_chat',
      invite_3pid: [invite3pid('erin@example.org'), invite3pid('grace@example.org')],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const created = res.body.room_id as string;
    expect((await memberOf(alice.token, created, erin.userId)).body.membership).toBe('invite');
    const [grace] = is.invites.filter((i) => i.request.address === 'grace@example.org');
    expect(grace!.request).toMatchObject({ room_id: created, sender: alice.userId, room_join_rules: 'invite' });
    const state = await api('GET', room(created, `/state/m.room.third_party_invite/${grace!.token}`), alice.token);
    expect(state.body.display_name).toBe('g...@e...');
  });
});
