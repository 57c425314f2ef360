// Third-party invites at the Worker: request validation for POST /rooms/{roomId}/invite (the
// 3PID form), createRoom's invite_3pid, PUT /3pid/onbind and POST /join with third_party_signed,
// and the exchange of a signed block against an m.room.third_party_invite whose key the test
// holds (no key_validity_url, so no network).
// The identity-server round trips are in test/scenario/third-party-invite.test.ts.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { publicKeyFromSeed, signJson } from '../../src/core/crypto/signing.js';
import { encodeBase64 } from '../../src/core/json/base64.js';
import { SERVER_NAME, api, registerUser } from './helpers.js';
import { CS, createRoom, expectStatus, getState, membershipAction, putState, roomPath } from './rooms-helpers.js';

const ONBIND = '/_matrix/federation/v1/3pid/onbind';
/** Nothing listens on port 1: an identity server there is never reached (allow-listed for the outbound guard in vitest.config.ts). */
const UNREACHABLE = '127.0.0.1:1';
const full = (address: string, idServer = UNREACHABLE) => ({ id_server: idServer, id_access_token: 'tok', medium: 'email', address });

const seedOf = (n: number) => new Uint8Array(32).fill(n);
const publicKeyOf = (seed: Uint8Array) => encodeBase64(publicKeyFromSeed(seed));
const signedBlock = (mxid: string, sender: string, token: string, seed: Uint8Array) =>
  signJson({ mxid, sender, token }, 'id.example.org', 'ed25519:0', seed);

describe('IDENTITY_SERVER_INSECURE_HTTP', () => {
  it('defaults to https (false), accepts "true", and names itself when invalid', () => {
    expect(parseConfig({ SERVER_NAME: 'example.com' }).identityServerInsecureHttp).toBe(false);
    expect(parseConfig({ SERVER_NAME: 'example.com', IDENTITY_SERVER_INSECURE_HTTP: 'true' }).identityServerInsecureHttp).toBe(true);
    expect(() => parseConfig({ SERVER_NAME: 'example.com', IDENTITY_SERVER_INSECURE_HTTP: 'yes' })).toThrow(/IDENTITY_SERVER_INSECURE_HTTP/);
  });
});

describe('POST /rooms/{roomId}/invite with a third-party identifier', () => {
  it('names the missing fields of the 3PID form with 400 M_MISSING_PARAM', async () => {
    const alice = await registerUser();
    const roomId = await createRoom(alice);
    const missing = expectStatus(await membershipAction(alice, roomId, 'invite', { id_server: UNREACHABLE, medium: 'email', address: 'a@example.org' }), 400, 'M_MISSING_PARAM');
    expect(missing.error).toContain('id_access_token');
    const onlyAddress = expectStatus(await membershipAction(alice, roomId, 'invite', { address: 'a@example.org' }), 400, 'M_MISSING_PARAM');
    expect(onlyAddress.error).toMatch(/id_server, id_access_token, medium/);
    // Without any third-party field the body is the user_id form, which needs user_id.
    expect(expectStatus(await membershipAction(alice, roomId, 'invite', {}), 400, 'M_BAD_JSON').error).toContain('user_id');
  });

  it('refuses fields of the wrong type with M_BAD_JSON and an id_server that is not a hostname with M_INVALID_PARAM', async () => {
    const alice = await registerUser();
    const roomId = await createRoom(alice);
    const badType = expectStatus(await membershipAction(alice, roomId, 'invite', { ...full('a@example.org'), medium: 5 }), 400, 'M_BAD_JSON');
    expect(badType.error).toContain('medium');
    for (const idServer of ['https://id.example.org', 'id.example.org/path', 'user@id.example.org', '']) {
      expectStatus(await membershipAction(alice, roomId, 'invite', full('a@example.org', idServer)), 400, 'M_INVALID_PARAM');
    }
  });

  it('refuses non-members (403) and unknown rooms (404) before asking the identity server', async () => {
    const alice = await registerUser();
    const eve = await registerUser();
    const roomId = await createRoom(alice);
    // Asking the (unreachable) identity server would have answered 502.
    expectStatus(await membershipAction(eve, roomId, 'invite', full('a@example.org')), 403, 'M_FORBIDDEN');
    expectStatus(await membershipAction(alice, `!nowhere:${SERVER_NAME}`, 'invite', full('a@example.org')), 404, 'M_NOT_FOUND');
  });

  it('answers 502 M_UNKNOWN when the identity server cannot be reached', async () => {
    const alice = await registerUser();
    const roomId = await createRoom(alice);
    const res = expectStatus(await membershipAction(alice, roomId, 'invite', full('a@example.org')), 502, 'M_UNKNOWN');
    expect(res.error).toMatch(/hash_details/);
  });
});

describe('createRoom invite_3pid', () => {
  it('checks every entry before creating the room: missing fields are M_MISSING_PARAM, bad types M_BAD_JSON', async () => {
    const alice = await registerUser();
    const joined = async () => expectStatus(await api('GET', `${CS}/joined_rooms`, { token: alice.accessToken }), 200).joined_rooms;
    const before = await joined();
    const create = (invite_3pid: unknown) => api('POST', `${CS}/createRoom`, { token: alice.accessToken, body: { invite_3pid } });
    const missing = expectStatus(await create([full('a@example.org'), { medium: 'email', address: 'b@example.org' }]), 400, 'M_MISSING_PARAM');
    expect(missing.error).toContain('id_server');
    expect(expectStatus(await create([{ ...full('a@example.org'), address: ['x'] }]), 400, 'M_BAD_JSON').error).toContain('invite_3pid.0.address');
    expectStatus(await create(['a@example.org']), 400, 'M_BAD_JSON');
    expect(await joined()).toEqual(before);
  });
});

describe('PUT /_matrix/federation/v1/3pid/onbind', () => {
  /** A room with an m.room.third_party_invite (token `token`) signed for by `seed`'s key, as a store-invite would leave it. */
  async function roomWithPendingInvite(seed: Uint8Array, token = 'tok3n') {
    const alice = await registerUser();
    const roomId = await createRoom(alice, { preset: 'private_chat' });
    const content = { display_name: 'c...@e...', public_key: publicKeyOf(seed) };
    expectStatus(await putState(alice, roomId, 'm.room.third_party_invite', token, content), 200);
    return { alice, roomId, token };
  }
  const onbind = (mxid: string, invites: unknown[]) =>
    api('PUT', ONBIND, { body: { medium: 'email', address: 'c@example.org', mxid, invites } });
  const inviteFor = (mxid: string, roomId: string, sender: string, signed: unknown) => ({ medium: 'email', address: 'c@example.org', mxid, room_id: roomId, sender, signed });

  it('needs no access token and exchanges a validly signed invite for an m.room.member invite from the inviter', async () => {
    const seed = seedOf(7);
    const { alice, roomId, token } = await roomWithPendingInvite(seed);
    const carol = await registerUser();
    const signed = signedBlock(carol.userId, alice.userId, token, seed);
    expect(expectStatus(await onbind(carol.userId, [inviteFor(carol.userId, roomId, alice.userId, signed)]), 200)).toEqual({});
    const member = expectStatus(await getState(alice, roomId, 'm.room.member', carol.userId), 200);
    expect(member).toEqual({ membership: 'invite', third_party_invite: { display_name: 'c...@e...', signed } });
    const events = expectStatus(await api('GET', roomPath(roomId, '/state'), { token: alice.accessToken }), 200) as any[];
    expect(events.find((e) => e.type === 'm.room.member' && e.state_key === carol.userId)?.sender).toBe(alice.userId);
    expectStatus(await membershipAction(carol, roomId, 'join'), 200);
  });

  it('invites nobody for a block signed by another key, naming another user, or for a token the room lacks', async () => {
    const seed = seedOf(8);
    const { alice, roomId, token } = await roomWithPendingInvite(seed);
    const carol = await registerUser();
    const dave = await registerUser();
    const cases = [
      signedBlock(carol.userId, alice.userId, token, seedOf(9)), // forged
      signedBlock(dave.userId, alice.userId, token, seed), // signed for someone else
      signedBlock(carol.userId, alice.userId, 'no-such-token', seed), // no m.room.third_party_invite
    ];
    for (const signed of cases) {
      expectStatus(await onbind(carol.userId, [inviteFor(carol.userId, roomId, alice.userId, signed)]), 403, 'M_FORBIDDEN');
    }
    // A tampered block: signed, then the mxid changed.
    const tampered = { ...signedBlock(dave.userId, alice.userId, token, seed), mxid: carol.userId };
    expectStatus(await onbind(carol.userId, [inviteFor(carol.userId, roomId, alice.userId, tampered)]), 403, 'M_FORBIDDEN');
    expectStatus(await getState(alice, roomId, 'm.room.member', carol.userId), 404);
  });

  it('refuses an invite sent on behalf of someone other than the m.room.third_party_invite sender', async () => {
    const seed = seedOf(10);
    const { alice, roomId, token } = await roomWithPendingInvite(seed);
    const bob = await registerUser();
    expectStatus(await membershipAction(alice, roomId, 'invite', { user_id: bob.userId }), 200);
    expectStatus(await membershipAction(bob, roomId, 'join'), 200);
    const carol = await registerUser();
    const signed = signedBlock(carol.userId, bob.userId, token, seed);
    const res = expectStatus(await onbind(carol.userId, [inviteFor(carol.userId, roomId, bob.userId, signed)]), 403, 'M_FORBIDDEN');
    expect(res.error).toContain('sender');
    expectStatus(await getState(alice, roomId, 'm.room.member', carol.userId), 404);
  });

  it('skips invites to rooms this server does not have, and refuses users of other servers', async () => {
    const carol = await registerUser();
    const signed = signedBlock(carol.userId, '@bob:remote.example', 'tok', seedOf(11));
    expect(expectStatus(await onbind(carol.userId, [inviteFor(carol.userId, '!elsewhere:remote.example', '@bob:remote.example', signed)]), 200)).toEqual({});
    const { alice, roomId, token } = await roomWithPendingInvite(seedOf(12));
    const remote = '@carol:remote.example';
    const remoteSigned = signedBlock(remote, alice.userId, token, seedOf(12));
    expectStatus(await onbind(remote, [inviteFor(remote, roomId, alice.userId, remoteSigned)]), 400, 'M_INVALID_PARAM');
    expectStatus(await getState(alice, roomId, 'm.room.member', remote), 404);
  });

  it('validates the body: required fields and IDs are M_BAD_JSON', async () => {
    const carol = await registerUser();
    expect(expectStatus(await api('PUT', ONBIND, { body: { medium: 'email', address: 'c@example.org', mxid: carol.userId } }), 400, 'M_BAD_JSON').error).toContain('invites');
    const signed = signedBlock(carol.userId, carol.userId, 'tok', seedOf(13));
    const bad = [
      inviteFor(carol.userId, 'not-a-room', carol.userId, signed),
      inviteFor(carol.userId, `!r:${SERVER_NAME}`, 'carol', signed), // sender is not a user ID
      inviteFor(carol.userId, `!r:${SERVER_NAME}`, carol.userId, { mxid: carol.userId, signatures: {} }), // no token
    ];
    for (const invite of bad) expectStatus(await onbind(carol.userId, [invite]), 400, 'M_BAD_JSON');
    expectStatus(await api('PUT', ONBIND, { rawBody: 'not json', headers: { 'Content-Type': 'application/json' } }), 400, 'M_NOT_JSON');
  });
});

describe('POST /join with third_party_signed', () => {
  async function pendingInvite(seed: Uint8Array) {
    const alice = await registerUser();
    const roomId = await createRoom(alice, { preset: 'private_chat' });
    const content = { display_name: 'c...@e...', public_key: publicKeyOf(seed) };
    expectStatus(await putState(alice, roomId, 'm.room.third_party_invite', 'jtok', content), 200);
    return { alice, roomId, token: 'jtok' };
  }
  const joinWith = (user: { accessToken: string }, roomId: string, signed: unknown) =>
    api('POST', `${CS}/join/${encodeURIComponent(roomId)}`, { token: user.accessToken, body: { third_party_signed: signed } });

  it('exchanges a validly signed block for an invite from the inviter, then joins the private room', async () => {
    const seed = seedOf(21);
    const { alice, roomId, token } = await pendingInvite(seed);
    const carol = await registerUser();
    const signed = signedBlock(carol.userId, alice.userId, token, seed);
    expect(expectStatus(await joinWith(carol, roomId, signed), 200)).toEqual({ room_id: roomId });
    expect(expectStatus(await getState(alice, roomId, 'm.room.member', carol.userId), 200).membership).toBe('join');
    // The invite that made the join possible carries the block, sent by alice.
    const events = expectStatus(await api('GET', roomPath(roomId, '/messages?dir=b&limit=10'), { token: alice.accessToken }), 200).chunk as any[];
    const invite = events.find((e) => e.type === 'm.room.member' && e.state_key === carol.userId && e.content.membership === 'invite');
    expect(invite?.sender).toBe(alice.userId);
    expect(invite?.content.third_party_invite.signed).toEqual(signed);
  });

  it('refuses a forged block, a block for another user and a malformed one, and joins nobody', async () => {
    const seed = seedOf(22);
    const { alice, roomId, token } = await pendingInvite(seed);
    const carol = await registerUser();
    const dave = await registerUser();
    expectStatus(await joinWith(carol, roomId, signedBlock(carol.userId, alice.userId, token, seedOf(23))), 403, 'M_FORBIDDEN');
    expectStatus(await joinWith(carol, roomId, signedBlock(dave.userId, alice.userId, token, seed)), 403, 'M_FORBIDDEN');
    expectStatus(await joinWith(carol, roomId, { mxid: carol.userId, token }), 400, 'M_BAD_JSON');
    expectStatus(await getState(alice, roomId, 'm.room.member', carol.userId), 404);
    expectStatus(await joinWith(carol, `!nowhere:${SERVER_NAME}`, signedBlock(carol.userId, alice.userId, token, seed)), 404, 'M_NOT_FOUND');
  });
});
