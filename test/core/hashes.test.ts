import { describe, expect, it } from 'vitest';
import { decodeBase64, encodeBase64, encodeBase64Url } from '../../src/core/json/base64.js';
import { canonicalJsonBytes } from '../../src/core/json/canonical.js';
import { sha256 } from '../../src/core/crypto/sha256.js';
import {
  checkContentHash,
  computeContentHash,
  computeEventId,
  computeReferenceHash,
  computeRoomId,
  eventReference,
  withContentHash,
} from '../../src/core/crypto/hashes.js';
import { isValidEventId, isValidRoomId, parseRoomId } from '../../src/core/ids/index.js';
import { ROOM_V1, ROOM_V2, ROOM_V3, ROOM_V4, ROOM_V5, ROOM_V10, ROOM_V11, ROOM_V12 } from '../../src/core/room-versions.js';

const event = (extra: Record<string, unknown> = {}) => ({
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

describe('sha256', () => {
  it('matches the FIPS 180-2 "abc" digest', () => {
    expect(encodeBase64(sha256(new TextEncoder().encode('abc')))).toBe('ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0');
  });
});

describe('content hash', () => {
  it('is the sha256 of the canonical JSON without unsigned, signatures and hashes, in unpadded Base64', () => {
    const e = event();
    const expected = encodeBase64(sha256(canonicalJsonBytes(e)));
    expect(computeContentHash(e)).toBe(expected);
    expect(computeContentHash({ ...e, unsigned: { age: 1 }, signatures: { x: {} }, hashes: { sha256: 'old' } })).toBe(expected);
  });
  it('covers the content, unlike signatures', () => {
    expect(computeContentHash(event())).not.toBe(computeContentHash(event({ content: { body: 'other' } })));
  });
  it('is set by withContentHash, which keeps other hash algorithms, and checked by checkContentHash', () => {
    const hashed = withContentHash({ ...event(), hashes: { sha512: 'other' } });
    expect(hashed.hashes).toEqual({ sha512: 'other', sha256: computeContentHash(event()) });
    expect(checkContentHash(hashed)).toBe(true);
    expect(checkContentHash({ ...hashed, content: {} })).toBe(false);
  });
  it('compares decoded bytes, so a padded hash matches and a malformed or missing one does not', () => {
    const hashed = withContentHash(event());
    expect(checkContentHash({ ...hashed, hashes: { sha256: `${hashed.hashes.sha256}=` } })).toBe(true);
    expect(checkContentHash({ ...hashed, hashes: { sha256: '$$$' } })).toBe(false);
    expect(checkContentHash({ ...hashed, hashes: {} })).toBe(false);
    expect(checkContentHash(event())).toBe(false);
  });
  it('tolerates floats in room versions 1-5 only', () => {
    const floaty = event({ content: { n: 0.5 } });
    expect(computeContentHash(floaty, ROOM_V5)).toMatch(/^[A-Za-z0-9+/]{43}$/);
    expect(() => computeContentHash(floaty, ROOM_V11)).toThrow();
    expect(() => computeContentHash(floaty)).toThrow();
  });
});

describe('reference hash and event IDs', () => {
  it('hashes the redacted event without signatures and unsigned', () => {
    const e = withContentHash(event());
    const plain = computeReferenceHash(e, ROOM_V4);
    expect(computeReferenceHash({ ...e, signatures: { a: { b: 'c' } }, unsigned: { age: 3 } }, ROOM_V4)).toEqual(plain);
    // content is redacted away for messages, so changing it keeps the reference hash (the content hash changes it instead)
    expect(computeReferenceHash({ ...e, content: { body: 'other' } }, ROOM_V4)).toEqual(plain);
    expect(computeReferenceHash({ ...e, hashes: { sha256: 'x' } }, ROOM_V4)).not.toEqual(plain);
  });
  it('covers top-level origin in v1-10 but not from v11, which no longer keeps it', () => {
    const e = withContentHash(event());
    const moved = { ...e, origin: 'elsewhere.example' };
    expect(computeReferenceHash(moved, ROOM_V10)).not.toEqual(computeReferenceHash(e, ROOM_V10));
    expect(computeReferenceHash(moved, ROOM_V11)).toEqual(computeReferenceHash(e, ROOM_V11));
  });
  it('v1-2: the event ID is the event_id field', () => {
    expect(computeEventId(event({ event_id: '$abc:example.org' }), ROOM_V1)).toBe('$abc:example.org');
    expect(computeEventId(event({ event_id: '$abc:example.org' }), ROOM_V2)).toBe('$abc:example.org');
    expect(() => computeEventId(event(), ROOM_V1)).toThrow(/event_id/);
  });
  it('v3: $ + reference hash in standard Base64; v4+: URL-safe', () => {
    const e = withContentHash(event());
    const hash = computeReferenceHash(e, ROOM_V3);
    expect(computeEventId(e, ROOM_V3)).toBe(`$${encodeBase64(hash)}`);
    expect(computeEventId(e, ROOM_V4)).toBe(`$${encodeBase64Url(hash)}`);
    expect(isValidEventId(computeEventId(e, ROOM_V3), 'v3')).toBe(true);
    expect(isValidEventId(computeEventId(e, ROOM_V12), 'v4')).toBe(true);
  });
  it('finds an event whose hash has + and / and shows they become - and _ in v4', () => {
    let found = false;
    for (let ts = 0; ts < 200 && !found; ts++) {
      const e = withContentHash(event({ origin_server_ts: ts }));
      const v3 = computeEventId(e, ROOM_V3);
      if (/[+/]/.test(v3)) {
        found = true;
        expect(computeEventId(e, ROOM_V4)).toBe(v3.replaceAll('+', '-').replaceAll('/', '_'));
      }
    }
    expect(found).toBe(true);
  });
  it('v1-2 references are [event_id, {sha256: reference hash}] pairs; v3+ plain event IDs', () => {
    const v1 = withContentHash(event({ event_id: '$abc:example.org' }), ROOM_V1);
    expect(eventReference(v1, ROOM_V1)).toEqual(['$abc:example.org', { sha256: encodeBase64(computeReferenceHash(v1, ROOM_V1)) }]);
    const v4 = withContentHash(event());
    expect(eventReference(v4, ROOM_V4)).toBe(computeEventId(v4, ROOM_V4));
  });
});

describe('room v12 room IDs', () => {
  const create = withContentHash({
    sender: '@creator:example.org',
    origin_server_ts: 1,
    type: 'm.room.create',
    state_key: '',
    content: { room_version: '12' },
    prev_events: [],
    auth_events: [],
    depth: 1,
  });
  it('is ! + the URL-safe reference hash of the create event, with no server part', () => {
    const roomId = computeRoomId(create, ROOM_V12)!;
    expect(roomId).toBe(`!${computeEventId(create, ROOM_V12).slice(1)}`);
    expect(parseRoomId(roomId)?.kind).toBe('create-event-hash');
    expect(isValidRoomId(roomId)).toBe(true);
    expect(decodeBase64(roomId.slice(1))).toEqual(computeReferenceHash(create, ROOM_V12));
  });
  it('is not derived in room versions whose room IDs the server chooses', () => {
    expect(computeRoomId(create, ROOM_V11)).toBeUndefined();
  });
});
