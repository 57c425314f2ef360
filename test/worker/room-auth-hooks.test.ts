// The room object's auth hooks (AuthContext): `isSignedBy` for join_authorised_via_users_server
// (room v8+: "If the event is not validly signed by the homeserver of the user ID denoted by
// the key, reject") on local and received joins, and `verifyEd25519` for the `signed` block of
// third-party invites.
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { eventSigningPayload, signEvent } from '../../src/core/crypto/event-signing.js';
import { publicKeyFromSeed, signJson, withSignature } from '../../src/core/crypto/signing.js';
import { buildEvent } from '../../src/core/events/build.js';
import type { JsonObject, Pdu } from '../../src/core/events/types.js';
import { encodeBase64 } from '../../src/core/json/base64.js';
import { getRoomVersion } from '../../src/core/room-versions.js';
import { serverSigner } from '../../src/platform/server-signer.js';
import { createRoom, localUser, send, sendOk, SERVER, type TestRoom } from './room-helpers.js';

const REMOTE = 'remote.test';
const REMOTE_SEED = new Uint8Array(32).fill(5);
const REMOTE_KEY_ID = 'ed25519:r1';
const keys = { [REMOTE]: { [REMOTE_KEY_ID]: encodeBase64(publicKeyFromSeed(REMOTE_SEED)) } };

async function stateId(room: TestRoom, type: string, key = ''): Promise<string | undefined> {
  const r = await room.stub.getStateEvent({ type, stateKey: key });
  return r.ok ? r.event.event_id : undefined;
}

/** A join by a remote user, signed by its server and, with `alsoLocal`, by ours too. */
async function remoteJoin(room: TestRoom, user: string, content: JsonObject, alsoLocal: boolean): Promise<Pdu> {
  const v = getRoomVersion(room.version)!;
  const info = await room.stub.getRoomInfo();
  if (!info.ok) throw new Error(info.error);
  const head = info.info.forwardExtremities[0]!;
  const headPdu = await room.stub.getPdu(head);
  if (!headPdu.ok) throw new Error(headPdu.error);
  const authorisedBy = typeof content.join_authorised_via_users_server === 'string' ? content.join_authorised_via_users_server : undefined;
  const pairs: Array<[string, string]> = [['m.room.create', ''], ['m.room.power_levels', ''], ['m.room.join_rules', '']];
  if (authorisedBy) pairs.push(['m.room.member', authorisedBy]);
  const auth = (await Promise.all(pairs.map(([t, k]) => stateId(room, t, k)))).filter((id): id is string => id !== undefined);
  const built = buildEvent({
    version: v,
    roomId: room.roomId,
    sender: user,
    origin: REMOTE,
    template: { type: 'm.room.member', stateKey: user, content },
    prevEvents: [head],
    authEvents: v.auth.roomIdIsCreateEventId ? auth.filter((id) => `!${id.slice(1)}` !== room.roomId) : auth,
    depth: headPdu.pdu.depth + 1,
    originServerTs: Date.now(),
  });
  const pdu = signEvent(built.pdu, v, REMOTE, REMOTE_KEY_ID, REMOTE_SEED) as Pdu;
  if (!alsoLocal) return pdu;
  const signer = await serverSigner(env.DB);
  const sig = await signer.sign(eventSigningPayload(pdu, v));
  return withSignature(pdu, SERVER, signer.keyId, encodeBase64(sig)) as Pdu;
}

describe('join_authorised_via_users_server (isSignedBy)', () => {
  it.each(['8', '10', '12'])('v%s: a local join may name a local authoriser, not one on another server', async (version) => {
    const room = await createRoom(version, { joinRule: 'restricted' });
    const dave = localUser('dave');
    const remote = await send(room, dave, 'm.room.member', { membership: 'join', join_authorised_via_users_server: `@admin:${REMOTE}` }, dave);
    expect(remote).toMatchObject({ ok: false, errcode: 'M_FORBIDDEN', error: expect.stringMatching(/validly signed/) });
    await sendOk(room, dave, 'm.room.member', { membership: 'join', join_authorised_via_users_server: room.creator }, dave);
  });

  it.each(['8', '10', '12'])('v%s: a received join naming our member needs our signature as well as its own', async (version) => {
    const room = await createRoom(version, { joinRule: 'restricted' });
    const bob = `@bob:${REMOTE}`;
    const content = { membership: 'join', join_authorised_via_users_server: room.creator };
    const unsigned = await room.stub.injectEvents({ pdus: [await remoteJoin(room, bob, content, false)], keys });
    expect(unsigned.ok && unsigned.results[0]).toMatchObject({ outcome: 'rejected', reason: expect.stringMatching(/validly signed/) });
    const signed = await room.stub.injectEvents({ pdus: [await remoteJoin(room, bob, content, true)], keys });
    expect(signed.ok && signed.results[0]).toMatchObject({ outcome: 'accepted' });
    const member = await room.stub.membershipOf(bob);
    expect(member.ok && member.membership?.membership).toBe('join');
  });
});

describe('third-party invites (verifyEd25519)', () => {
  const ID_SEED = new Uint8Array(32).fill(3);
  const OTHER_SEED = new Uint8Array(32).fill(4);

  it('accepts an invite whose signed block verifies with the m.room.third_party_invite key, and refuses a forged one', async () => {
    const room = await createRoom('12');
    const token = 'tpi-token';
    await sendOk(
      room,
      room.creator,
      'm.room.third_party_invite',
      { display_name: 'c...@example.org', key_validity_url: 'https://id.example/_matrix/identity/v2/pubkey/isvalid', public_key: encodeBase64(publicKeyFromSeed(ID_SEED)) },
      token,
    );
    const carol = localUser('carol');
    const signedBy = (seed: Uint8Array) => signJson({ mxid: carol, token }, 'id.example', 'ed25519:0', seed) as unknown as JsonObject;
    const invite = (seed: Uint8Array) =>
      send(room, room.creator, 'm.room.member', { membership: 'invite', third_party_invite: { display_name: 'c...@example.org', signed: signedBy(seed) } }, carol);
    expect(await invite(OTHER_SEED)).toMatchObject({ ok: false, errcode: 'M_FORBIDDEN', error: expect.stringMatching(/third-party invite/) });
    expect(await invite(ID_SEED)).toMatchObject({ ok: true });
    const member = await room.stub.membershipOf(carol);
    expect(member.ok && member.membership?.membership).toBe('invite');
  });
});
