import { createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AuthContext } from '../../../src/core/auth/index.js';
import { canonicalJsonBytes } from '../../../src/core/json/canonical.js';
import { decodeBase64, encodeBase64 } from '../../../src/core/json/base64.js';
import { ALICE, BOB, CAROL, TestRoom, versions } from './helpers.js';

// A real ed25519 key pair: the identity server's key in m.room.third_party_invite.
const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const publicKeyB64 = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url').toString('base64').replace(/=+$/, '');
const other = generateKeyPairSync('ed25519');
const otherKeyB64 = Buffer.from(other.publicKey.export({ format: 'jwk' }).x!, 'base64url').toString('base64').replace(/=+$/, '');

const ctx: AuthContext = {
  verifyEd25519(key, message, signature) {
    const raw = decodeBase64(key);
    const sig = decodeBase64(signature);
    if (!raw || !sig) return false;
    const der = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]);
    return verify(null, message, createPublicKey({ key: der, format: 'der', type: 'spki' }), sig);
  },
};

function signedBlock(mxid: string, token: string, key = privateKey) {
  const body = { mxid, token, sender: ALICE };
  const signature = encodeBase64(sign(null, canonicalJsonBytes(body), key));
  return { ...body, signatures: { 'id.test': { 'ed25519:0': signature } } };
}

describe.each(versions(1))('invite, room v%s', (_v, rules) => {
  it('allows a joined member at the invite level to invite', () => {
    expect(new TestRoom(rules).tryMember(ALICE, BOB, 'invite').ok).toBe(true);
  });

  it('rejects an invite from a sender who is not joined', () => {
    const room = new TestRoom(rules).member(CAROL, 'invite', ALICE);
    expect(room.tryMember(CAROL, BOB, 'invite')).toMatchObject({ ok: false, reason: expect.stringContaining('not join') });
  });

  it('rejects inviting a user who is joined', () => {
    expect(new TestRoom(rules).member(BOB, 'join').tryMember(ALICE, BOB, 'invite').ok).toBe(false);
  });

  it('rejects inviting a user who is banned', () => {
    expect(new TestRoom(rules).member(BOB, 'ban', ALICE).tryMember(ALICE, BOB, 'invite').ok).toBe(false);
  });

  it('allows re-inviting a user who left', () => {
    expect(new TestRoom(rules).member(BOB, 'leave').tryMember(ALICE, BOB, 'invite').ok).toBe(true);
  });

  it('rejects an invite from a sender below the invite level', () => {
    const room = new TestRoom(rules, { powerLevels: { invite: 50, users: rules.privilegedCreators ? {} : { [ALICE]: 100 } } });
    room.member(CAROL, 'join');
    expect(room.tryMember(CAROL, BOB, 'invite')).toMatchObject({ ok: false, reason: expect.stringContaining('invite level') });
    expect(room.tryMember(ALICE, BOB, 'invite').ok).toBe(true);
  });

  it('allows any joined member to invite when the room has no power levels', () => {
    const room = new TestRoom(rules, { powerLevels: null }).member(CAROL, 'join');
    expect(room.tryMember(CAROL, BOB, 'invite').ok).toBe(true);
  });
});

describe.each(versions(1))('third-party invite, room v%s', (_v, rules) => {
  const room = () => {
    const r = new TestRoom(rules);
    return r.put(
      r.event({
        type: 'm.room.third_party_invite',
        sender: ALICE,
        stateKey: 'tok',
        content: { display_name: 'b...', key_validity_url: 'https://id.test/v', public_key: publicKeyB64 },
      }),
    );
  };
  const invite = (r: TestRoom, tpi: unknown, sender = ALICE, target = BOB, c: AuthContext = ctx) =>
    r.tryMember(sender, target, 'invite', { third_party_invite: tpi }, c);

  it('allows an invite whose signed block verifies against the public key', () => {
    expect(invite(room(), { display_name: 'b', signed: signedBlock(BOB, 'tok') })).toEqual({ ok: true });
  });

  it('allows a signature by any of the public_keys', () => {
    const r = new TestRoom(rules);
    r.put(
      r.event({
        type: 'm.room.third_party_invite',
        sender: ALICE,
        stateKey: 'tok',
        content: { public_key: otherKeyB64, public_keys: [{ public_key: 'garbage' }, { public_key: publicKeyB64 }] },
      }),
    );
    expect(invite(r, { signed: signedBlock(BOB, 'tok') }).ok).toBe(true);
  });

  it('does not require the sender to be joined or at the invite level', () => {
    // The third-party invite rule allows before the sender membership and invite level rules.
    const r = room().powerLevels({ invite: 100, users: rules.privilegedCreators ? {} : { [ALICE]: 100 } });
    expect(invite(r, { signed: signedBlock(BOB, 'tok') }).ok).toBe(true);
  });

  it('rejects a signature by another key', () => {
    expect(invite(room(), { signed: signedBlock(BOB, 'tok', other.privateKey) }).ok).toBe(false);
  });

  it('rejects a signed block altered after signing', () => {
    const signed = { ...signedBlock(BOB, 'tok'), extra: 1 };
    expect(invite(room(), { signed }).ok).toBe(false);
  });

  it('rejects signatures whose key ID is not ed25519', () => {
    const signed = signedBlock(BOB, 'tok');
    const moved = { ...signed, signatures: { 'id.test': { 'curve25519:0': signed.signatures['id.test']['ed25519:0'] } } };
    expect(invite(room(), { signed: moved }).ok).toBe(false);
  });

  it('rejects when no signature verifier is injected', () => {
    expect(invite(room(), { signed: signedBlock(BOB, 'tok') }, ALICE, BOB, {}).ok).toBe(false);
  });

  it('rejects a banned target', () => {
    expect(invite(room().member(BOB, 'ban', ALICE), { signed: signedBlock(BOB, 'tok') })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('banned'),
    });
  });

  it('rejects a third_party_invite without signed', () => {
    expect(invite(room(), { display_name: 'b' }).ok).toBe(false);
    expect(invite(room(), null).ok).toBe(false);
  });

  it('rejects a signed block without mxid or token', () => {
    const { mxid: _m, ...noMxid } = signedBlock(BOB, 'tok');
    const { token: _t, ...noToken } = signedBlock(BOB, 'tok');
    expect(invite(room(), { signed: noMxid }).ok).toBe(false);
    expect(invite(room(), { signed: noToken }).ok).toBe(false);
  });

  it('rejects an mxid that does not match state_key', () => {
    expect(invite(room(), { signed: signedBlock(CAROL, 'tok') })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('mxid'),
    });
  });

  it('rejects a token with no m.room.third_party_invite', () => {
    expect(invite(room(), { signed: signedBlock(BOB, 'other') }).ok).toBe(false);
  });

  it('rejects a sender other than the m.room.third_party_invite sender', () => {
    const r = room().member(CAROL, 'join');
    expect(invite(r, { signed: signedBlock(BOB, 'tok') }, CAROL)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('sender'),
    });
  });
});

describe.each(versions(1))('m.room.third_party_invite, room v%s', (_v, rules) => {
  const users = (extra: Record<string, number> = {}) => ({ ...(rules.privilegedCreators ? {} : { [ALICE]: 100 }), ...extra });

  it('allows a joined sender at the invite level', () => {
    const room = new TestRoom(rules, { powerLevels: { invite: 10, users: users({ [CAROL]: 10 }) } }).member(CAROL, 'join');
    expect(room.try({ type: 'm.room.third_party_invite', sender: CAROL, stateKey: 'x', content: {} }).ok).toBe(true);
  });

  it('rejects a joined sender below the invite level, even if events allows it', () => {
    const room = new TestRoom(rules, {
      powerLevels: { invite: 10, users: users(), events: { 'm.room.third_party_invite': 0 }, state_default: 0 },
    }).member(CAROL, 'join');
    expect(room.try({ type: 'm.room.third_party_invite', sender: CAROL, stateKey: 'x', content: {} })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('invite level'),
    });
  });

  it('allows a sender at the invite level even if below the event level', () => {
    const room = new TestRoom(rules, {
      powerLevels: { invite: 0, users: users(), events: { 'm.room.third_party_invite': 100 } },
    }).member(CAROL, 'join');
    expect(room.try({ type: 'm.room.third_party_invite', sender: CAROL, stateKey: 'x', content: {} }).ok).toBe(true);
  });

  it('rejects a sender who is not joined', () => {
    const room = new TestRoom(rules).member(CAROL, 'invite', ALICE);
    expect(room.try({ type: 'm.room.third_party_invite', sender: CAROL, stateKey: 'x', content: {} }).ok).toBe(false);
  });
});
