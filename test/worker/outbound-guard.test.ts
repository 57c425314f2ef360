// The outbound (SSRF) guard at the Worker's edge: identity servers named by a client
// (POST /rooms/{roomId}/invite, createRoom's invite_3pid) and key_validity_url in a room's
// m.room.third_party_invite are refused with 403 M_FORBIDDEN, naming why, before any
// connection, unless public and on an allowed port; an allow-listed destination is contacted.
// This project allow-lists 127.0.0.1:1 (nothing listens there) and points DNS_RESOLVER_URL at
// it too (vitest.config.ts), so names are never resolved on the internet. DNS names resolved
// by a fake resolver, and a listening server that sees no request, are in
// test/scenario/outbound-guard.test.ts.
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config.js';
import { publicKeyFromSeed, signJson } from '../../src/core/crypto/signing.js';
import { encodeBase64 } from '../../src/core/json/base64.js';
import { api, registerUser } from './helpers.js';
import { CS, createRoom, expectStatus, membershipAction, putState } from './rooms-helpers.js';

const invite3pid = (idServer: string) => ({ id_server: idServer, id_access_token: 'tok', medium: 'email', address: 'a@example.org' });

/** id_server values the guard refuses, and what the refusal must name. */
const REFUSED: [string, RegExp][] = [
  ['127.0.0.1:8090', /127\.0\.0\.1 is not a public address \(loopback\)/],
  ['127.0.0.1', /loopback/],
  ['[::1]', /\[::1\] is not a public address \(loopback\)/],
  ['[::1]:1', /loopback/], // the allow-list names 127.0.0.1:1, not [::1]:1
  ['10.0.0.1', /10\.0\.0\.1 is not a public address \(private\)/],
  ['192.168.1.20:443', /private/],
  ['169.254.169.254', /169\.254\.169\.254 is not a public address \(link-local\)/],
  ['100.64.1.1', /carrier-grade-nat/],
  ['0.0.0.0', /this-network/],
  ['2130706433', /127\.0\.0\.1 is not a public address \(loopback\)/], // decimal IPv4, as URL parsers read it
  ['0x7f.1', /127\.0\.0\.1 is not a public address/],
  ['0177.0.0.1:443', /127\.0\.0\.1 is not a public address/],
  ['[::ffff:127.0.0.1]', /loopback \(inside ipv4-mapped\)/],
  ['[fd00::1]', /unique-local/],
  ['[fe80::1]', /link-local/],
  ['[64:ff9b::a00:1]', /private \(inside nat64\)/],
  ['localhost', /localhost names are loopback/],
  ['localhost:1', /localhost names are loopback/],
  ['id.localhost', /localhost names are loopback/],
  ['intranet', /without a dot/],
  ['8.8.8.8:8090', /port 8090 is not allowed \(allowed: 443\)/],
  ['id.example.org:8443', /id\.example\.org:8443: port 8443 is not allowed/],
];

describe('identity servers named by a client', () => {
  it.each(REFUSED)('POST /invite refuses id_server %s with 403 M_FORBIDDEN before any connection', async (idServer, why) => {
    const alice = await registerUser();
    const roomId = await createRoom(alice);
    const res = expectStatus(await membershipAction(alice, roomId, 'invite', invite3pid(idServer)), 403, 'M_FORBIDDEN');
    // The guard's own refusal, not a failed connection (which would be 502 "could not connect").
    expect(res.error).toMatch(/will not contact the identity server/);
    expect(res.error).toMatch(why);
  });

  it('createRoom refuses an invite_3pid id_server before the room exists', async () => {
    const alice = await registerUser();
    const joined = async () => expectStatus(await api('GET', `${CS}/joined_rooms`, { token: alice.accessToken }), 200).joined_rooms;
    const before = await joined();
    for (const idServer of ['127.0.0.1:8090', '[::1]', '10.0.0.1', '169.254.169.254', '2130706433', 'id.example.org:8443']) {
      const res = await api('POST', `${CS}/createRoom`, { token: alice.accessToken, body: { invite_3pid: [invite3pid(idServer)] } });
      expect(expectStatus(res, 403, 'M_FORBIDDEN').error).toMatch(/will not contact the identity server \(id_server\)/);
    }
    // One refused entry among allowed ones still creates nothing.
    const mixed = await api('POST', `${CS}/createRoom`, { token: alice.accessToken, body: { invite_3pid: [invite3pid('127.0.0.1:1'), invite3pid('10.1.2.3')] } });
    expectStatus(mixed, 403, 'M_FORBIDDEN');
    expect(await joined()).toEqual(before);
  });

  it('contacts an allow-listed destination (127.0.0.1:1 here): nothing listens, so 502 M_UNKNOWN', async () => {
    const alice = await registerUser();
    const roomId = await createRoom(alice);
    const res = expectStatus(await membershipAction(alice, roomId, 'invite', invite3pid('127.0.0.1:1')), 502, 'M_UNKNOWN');
    expect(res.error).toMatch(/hash_details failed: 127\.0\.0\.1:1: could not connect/);
  });

  it('does not contact a DNS name the resolver cannot answer for: 502 M_UNKNOWN naming the lookup', async () => {
    const alice = await registerUser();
    const roomId = await createRoom(alice);
    const res = expectStatus(await membershipAction(alice, roomId, 'invite', invite3pid('id.example.org')), 502, 'M_UNKNOWN');
    expect(res.error).toMatch(/id\.example\.org: could not resolve the name/);
  });
});

describe('key_validity_url of an m.room.third_party_invite', () => {
  const seed = new Uint8Array(32).fill(31);
  const publicKey = encodeBase64(publicKeyFromSeed(seed));

  it.each([
    ['https://169.254.169.254/latest/meta-data', /169\.254\.169\.254 is not a public address \(link-local\)/],
    ['https://[::1]/_matrix/identity/v2/pubkey/isvalid', /loopback/],
    ['https://id.example.org:8443/_matrix/identity/v2/pubkey/isvalid', /port 8443 is not allowed/],
    ['http://id.example.org/_matrix/identity/v2/pubkey/isvalid', /only https URLs are allowed, not http/],
  ])('is not fetched when it points at %s: the join is refused with 403', async (keyValidityUrl, why) => {
    const alice = await registerUser();
    const roomId = await createRoom(alice, { preset: 'private_chat' });
    expectStatus(await putState(alice, roomId, 'm.room.third_party_invite', 'ktok', { display_name: 'c...', public_key: publicKey, key_validity_url: keyValidityUrl }), 200);
    const carol = await registerUser();
    const signed = signJson({ mxid: carol.userId, sender: alice.userId, token: 'ktok' }, 'id.example.org', 'ed25519:0', seed);
    const res = await api('POST', `${CS}/join/${encodeURIComponent(roomId)}`, { token: carol.accessToken, body: { third_party_signed: signed } });
    expect(expectStatus(res, 403, 'M_FORBIDDEN').error).toMatch(why);
  });
});

describe('outbound guard configuration', () => {
  const base = { SERVER_NAME: 'example.com' };

  it('defaults to the guard on, no allow-list, port 443 only and Cloudflare DNS-over-HTTPS', () => {
    expect(parseConfig(base).outbound).toEqual({ enabled: true, allowHosts: [], allowPorts: [443], resolverUrl: 'https://cloudflare-dns.com/dns-query' });
    expect(parseConfig({ ...base, DNS_RESOLVER_URL: '' }).outbound.resolverUrl).toBe('https://cloudflare-dns.com/dns-query');
  });

  it('reads allow-listed hosts (normalised as URLs normalise them), ports, the switch and the resolver', () => {
    const outbound = parseConfig({
      ...base,
      OUTBOUND_ALLOW_HOSTS: ' 127.0.0.1:8090, ID.Internal.example., [::1], 2130706433:81 ',
      OUTBOUND_ALLOW_PORTS: '443, 8448',
      OUTBOUND_GUARD: 'off',
      DNS_RESOLVER_URL: 'https://dns.google/resolve',
    }).outbound;
    expect(outbound).toEqual({
      enabled: false,
      allowHosts: [{ host: '127.0.0.1', port: 8090 }, { host: 'id.internal.example' }, { host: '[::1]' }, { host: '127.0.0.1', port: 81 }],
      allowPorts: [443, 8448],
      resolverUrl: 'https://dns.google/resolve',
    });
  });

  it.each([
    [{ OUTBOUND_ALLOW_HOSTS: 'https://id.example.org' }, 'OUTBOUND_ALLOW_HOSTS'],
    [{ OUTBOUND_ALLOW_HOSTS: 'id.example.org:99999' }, 'OUTBOUND_ALLOW_HOSTS'],
    [{ OUTBOUND_ALLOW_PORTS: '443,http' }, 'OUTBOUND_ALLOW_PORTS'],
    [{ OUTBOUND_ALLOW_PORTS: '0' }, 'OUTBOUND_ALLOW_PORTS'],
    [{ OUTBOUND_ALLOW_PORTS: '' }, 'OUTBOUND_ALLOW_PORTS'],
    [{ OUTBOUND_GUARD: 'disabled' }, 'OUTBOUND_GUARD'],
    [{ DNS_RESOLVER_URL: 'ftp://dns.example' }, 'DNS_RESOLVER_URL'],
  ])('fails with a message naming the bad variable (%o)', (env, name) => {
    expect(() => parseConfig({ ...base, ...env })).toThrow(ConfigError);
    expect(() => parseConfig({ ...base, ...env })).toThrow(new RegExp(`${name}:`));
  });
});
