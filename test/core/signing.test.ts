import { describe, expect, it } from 'vitest';
import { decodeBase64, encodeBase64 } from '../../src/core/json/base64.js';
import { canonicalJson } from '../../src/core/json/canonical.js';
import {
  publicKeyFromSeed,
  signBytes,
  signJson,
  signingPayload,
  verifyJsonSignature,
  withSignature,
} from '../../src/core/crypto/signing.js';
import {
  eventSigningPayload,
  isEventSignedBy,
  requiredSignatureServers,
  signEvent,
  verifyEventHashesAndSignatures,
  verifyEventSignature,
} from '../../src/core/crypto/event-signing.js';
import { withContentHash } from '../../src/core/crypto/hashes.js';
import { redactEvent } from '../../src/core/events/redaction.js';
import { ROOM_V1, ROOM_V2, ROOM_V3, ROOM_V5, ROOM_V10, ROOM_V11, ROOM_V12 } from '../../src/core/room-versions.js';

const SEED = decodeBase64('YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1')!; // the spec appendix key
const KEY = publicKeyFromSeed(SEED);
const OTHER_SEED = new Uint8Array(32).fill(7);
const OTHER_KEY = publicKeyFromSeed(OTHER_SEED);

describe('JSON signing', () => {
  it('signs canonical JSON without signatures and unsigned, and keeps unsigned in the result', () => {
    const obj = { b: 1, a: 'x', unsigned: { age: 5 } };
    const signed = signJson(obj, 'example.org', 'ed25519:1', SEED);
    expect(signed.unsigned).toEqual({ age: 5 });
    expect(new TextDecoder().decode(signingPayload(signed))).toBe('{"a":"x","b":1}');
    expect(verifyJsonSignature(signed, 'example.org', 'ed25519:1', KEY)).toBe(true);
    expect(verifyJsonSignature({ ...signed, unsigned: { age: 99 } }, 'example.org', 'ed25519:1', KEY)).toBe(true);
    expect(obj).toEqual({ b: 1, a: 'x', unsigned: { age: 5 } }); // the input is not changed
  });
  it('keeps existing signatures from other servers and other keys when adding one', () => {
    const once = signJson({ a: 1 }, 'one.example', 'ed25519:a', SEED);
    const twice = signJson(once, 'one.example', 'ed25519:b', OTHER_SEED);
    const thrice = signJson(twice, 'two.example', 'ed25519:1', SEED);
    expect(Object.keys(thrice.signatures).sort()).toEqual(['one.example', 'two.example']);
    expect(Object.keys(thrice.signatures['one.example']!).sort()).toEqual(['ed25519:a', 'ed25519:b']);
    expect(verifyJsonSignature(thrice, 'one.example', 'ed25519:a', KEY)).toBe(true);
    expect(verifyJsonSignature(thrice, 'one.example', 'ed25519:b', OTHER_KEY)).toBe(true);
    expect(verifyJsonSignature(thrice, 'two.example', 'ed25519:1', KEY)).toBe(true);
  });
  it('lets an outside signer sign signingPayload and attach it with withSignature', () => {
    const obj = { hello: 'world' };
    const viaPayload = withSignature(obj, 'example.org', 'ed25519:1', signBytes(signingPayload(obj), SEED));
    expect(viaPayload).toEqual(signJson(obj, 'example.org', 'ed25519:1', SEED));
  });
  it('fails verification for a changed object, the wrong key, a missing entry or an unknown algorithm', () => {
    const signed = signJson({ a: 1 }, 'example.org', 'ed25519:1', SEED);
    expect(verifyJsonSignature({ ...signed, a: 2 }, 'example.org', 'ed25519:1', KEY)).toBe(false);
    expect(verifyJsonSignature(signed, 'example.org', 'ed25519:1', OTHER_KEY)).toBe(false);
    expect(verifyJsonSignature(signed, 'other.org', 'ed25519:1', KEY)).toBe(false);
    expect(verifyJsonSignature(signed, 'example.org', 'ed25519:2', KEY)).toBe(false);
    const renamed = { a: 1, signatures: { 'example.org': { 'curve25519:1': signed.signatures['example.org']!['ed25519:1']! } } };
    expect(verifyJsonSignature(renamed, 'example.org', 'curve25519:1', KEY)).toBe(false);
  });
  it('returns false, never throws, on malformed signatures and keys', () => {
    const bad = (signatures: unknown) => verifyJsonSignature({ a: 1, signatures }, 'example.org', 'ed25519:1', KEY);
    expect(bad(undefined)).toBe(false);
    expect(bad([])).toBe(false);
    expect(bad({ 'example.org': 'sig' })).toBe(false);
    expect(bad({ 'example.org': { 'ed25519:1': 42 } })).toBe(false);
    expect(bad({ 'example.org': { 'ed25519:1': '!!!not base64' } })).toBe(false);
    expect(bad({ 'example.org': { 'ed25519:1': encodeBase64(new Uint8Array(63)) } })).toBe(false);
    expect(bad({ 'example.org': { 'ed25519:1': encodeBase64(new Uint8Array(64).fill(255)) } })).toBe(false);
    const signed = signJson({ a: 1 }, 'example.org', 'ed25519:1', SEED);
    expect(verifyJsonSignature(signed, 'example.org', 'ed25519:1', new Uint8Array(31))).toBe(false);
    expect(verifyJsonSignature({ ...signed, f: 1.5 }, 'example.org', 'ed25519:1', KEY)).toBe(false);
  });
  it('treats a hostile __proto__ server name as an ordinary key', () => {
    const obj = JSON.parse('{"a":1,"signatures":{"__proto__":{"ed25519:1":"x"}}}');
    const signed = signJson(obj, 'example.org', 'ed25519:1', SEED);
    expect(canonicalJson(signed.signatures)).toContain('"__proto__"');
    expect(verifyJsonSignature(signed, 'example.org', 'ed25519:1', KEY)).toBe(true);
  });
});

const message = (extra: Record<string, unknown> = {}) => ({
  room_id: '!r:example.org',
  sender: '@u:example.org',
  origin: 'example.org',
  origin_server_ts: 1000,
  type: 'm.room.message',
  content: { body: 'hello' },
  prev_events: [],
  auth_events: [],
  depth: 4,
  ...extra,
});

describe('event signing', () => {
  it('signs the redacted event, so a redacted copy still verifies', () => {
    const signed = signEvent(message(), ROOM_V10, 'example.org', 'ed25519:1', SEED);
    const redacted = redactEvent(signed, ROOM_V10.redaction);
    expect(redacted.content).toEqual({});
    expect(verifyEventSignature(signed, ROOM_V10, 'example.org', 'ed25519:1', KEY)).toBe(true);
    expect(verifyEventSignature(redacted, ROOM_V10, 'example.org', 'ed25519:1', KEY)).toBe(true);
  });
  it('covers the content through the content hash, not the signature', () => {
    const signed = signEvent(message(), ROOM_V11, 'example.org', 'ed25519:1', SEED);
    const edited = { ...signed, content: { body: 'edited' } };
    expect(verifyEventSignature(edited, ROOM_V11, 'example.org', 'ed25519:1', KEY)).toBe(true);
    const lookup = () => KEY;
    expect(verifyEventHashesAndSignatures(signed, ROOM_V11, lookup)).toEqual({ ok: true, contentHashValid: true, event: signed });
    expect(verifyEventHashesAndSignatures(edited, ROOM_V11, lookup)).toEqual({
      ok: true,
      contentHashValid: false,
      event: redactEvent(edited, ROOM_V11.redaction),
    });
  });
  it('gives the same result through the asynchronous-signer path', () => {
    const hashed = withContentHash(message(), ROOM_V12);
    const sig = signBytes(eventSigningPayload(hashed, ROOM_V12), SEED);
    expect(withSignature(hashed, 'example.org', 'ed25519:1', sig)).toEqual(signEvent(message(), ROOM_V12, 'example.org', 'ed25519:1', SEED));
  });
  it('signs v1-5 events that hold floats, which those versions tolerate', () => {
    const signed = signEvent(message({ content: { n: 0.5 } }), ROOM_V5, 'example.org', 'ed25519:1', SEED);
    expect(verifyEventSignature(signed, ROOM_V5, 'example.org', 'ed25519:1', KEY)).toBe(true);
    expect(() => signEvent(message({ content: { n: 0.5 } }), ROOM_V11, 'example.org', 'ed25519:1', SEED)).toThrow();
  });
  it('requires the sender server, plus the event_id server in room versions 1 and 2', () => {
    const v1 = message({ event_id: '$abc:events.example', sender: '@u:example.org' });
    expect(requiredSignatureServers(v1, ROOM_V1).sort()).toEqual(['events.example', 'example.org']);
    expect(requiredSignatureServers(v1, ROOM_V2).sort()).toEqual(['events.example', 'example.org']);
    expect(requiredSignatureServers(v1, ROOM_V3)).toEqual(['example.org']);
    expect(requiredSignatureServers(message({ event_id: '$abc:example.org' }), ROOM_V1)).toEqual(['example.org']);
  });
  it('does not require the sender server for an invite made from a third-party invite', () => {
    const invite = message({ type: 'm.room.member', state_key: '@i:other.org', content: { membership: 'invite', third_party_invite: {} } });
    expect(requiredSignatureServers(invite, ROOM_V11)).toEqual([]);
    expect(requiredSignatureServers({ ...invite, content: { membership: 'invite' } }, ROOM_V11)).toEqual(['example.org']);
  });
  it('drops an event without a valid signature from every required server', () => {
    const v1 = signEvent(message({ event_id: '$abc:events.example' }), ROOM_V1, 'example.org', 'ed25519:1', SEED);
    const lookup = (server: string) => (server === 'example.org' || server === 'events.example' ? KEY : undefined);
    expect(verifyEventHashesAndSignatures(v1, ROOM_V1, lookup)).toEqual({ ok: false, reason: 'missing or invalid signature from events.example' });
    const both = signEvent(v1, ROOM_V1, 'events.example', 'ed25519:1', SEED);
    expect(verifyEventHashesAndSignatures(both, ROOM_V1, lookup)).toMatchObject({ ok: true, contentHashValid: true });
  });
  it('drops an event whose sender has no server name to check a signature from', () => {
    const signed = signEvent(message({ sender: 'not-a-user' }), ROOM_V11, 'example.org', 'ed25519:1', SEED);
    expect(verifyEventHashesAndSignatures(signed, ROOM_V11, () => KEY)).toEqual({ ok: false, reason: 'sender has no valid server name' });
  });
  it('ignores unknown keys, but fails when no known key signed or a known key signature is bad', () => {
    const signed = signEvent(message(), ROOM_V11, 'example.org', 'ed25519:good', SEED);
    const withUnknown = withSignature(signed, 'example.org', 'ed25519:unknown', 'AAAA');
    const known = (_: string, keyId: string) => (keyId === 'ed25519:good' ? KEY : undefined);
    expect(isEventSignedBy(withUnknown, ROOM_V11, 'example.org', known)).toBe(true);
    expect(isEventSignedBy(withUnknown, ROOM_V11, 'example.org', () => undefined)).toBe(false);
    expect(isEventSignedBy(withUnknown, ROOM_V11, 'example.org', () => KEY)).toBe(false);
    expect(isEventSignedBy(signed, ROOM_V11, 'other.org', known)).toBe(false);
  });
});
