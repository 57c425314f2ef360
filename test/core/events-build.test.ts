import { describe, expect, it } from 'vitest';
import { buildCreateEvent, buildEvent, nextDepth } from '../../src/core/events/build.js';
import { checkAuth } from '../../src/core/auth/index.js';
import { checkContentHash, computeEventId, eventReference } from '../../src/core/crypto/hashes.js';
import { signEvent, verifyEventHashesAndSignatures } from '../../src/core/crypto/event-signing.js';
import { publicKeyFromSeed } from '../../src/core/crypto/signing.js';
import { checkEventFormat, toAuthEvent } from '../../src/core/events/format.js';
import { isValidEventId, parseRoomId } from '../../src/core/ids/index.js';
import { getRoomVersion, SUPPORTED_ROOM_VERSIONS, ROOM_V10, ROOM_V11, ROOM_V5, ROOM_V6 } from '../../src/core/room-versions.js';

const ORIGIN = 'example.org';
const ALICE = '@alice:example.org';
const SEED = new Uint8Array(32).fill(7);
const KEY_ID = 'ed25519:test';
const keys = (server: string, keyId: string) => (server === ORIGIN && keyId === KEY_ID ? publicKeyFromSeed(SEED) : undefined);

function createFor(id: string) {
  return buildCreateEvent({
    version: getRoomVersion(id)!,
    sender: ALICE,
    origin: ORIGIN,
    originServerTs: 1_700_000_000_000,
    roomId: '!room:example.org',
    eventIdLocalpart: 'create1',
  });
}

describe('buildCreateEvent', () => {
  it('derives the room v12 room ID from the create event hash, with no room_id in the event', () => {
    const { pdu, roomId, eventId } = createFor('12');
    expect(pdu.room_id).toBeUndefined();
    expect(roomId).toBe(`!${eventId.slice(1)}`);
    expect(parseRoomId(roomId)?.kind).toBe('create-event-hash');
    expect(pdu.content).toEqual({ room_version: '12' });
  });

  it('keeps the server-chosen room ID and writes content.creator before room v11', () => {
    const { pdu, roomId } = createFor('10');
    expect(roomId).toBe('!room:example.org');
    expect(pdu.room_id).toBe('!room:example.org');
    expect(pdu.content).toEqual({ room_version: '10', creator: ALICE });
  });

  it('drops content.creator from room v11 on (the sender is the creator)', () => {
    expect(createFor('11').pdu.content).toEqual({ room_version: '11' });
  });

  it('gives room v1-2 create events a $localpart:origin event ID carried in the event', () => {
    const { pdu, eventId } = createFor('1');
    expect(eventId).toBe('$create1:example.org');
    expect(pdu.event_id).toBe('$create1:example.org');
  });

  it('produces a create event that passes the create rules for every room version', () => {
    for (const id of SUPPORTED_ROOM_VERSIONS) {
      const v = getRoomVersion(id)!;
      const { pdu, eventId, roomId } = createFor(id);
      expect(checkAuth(v.auth, toAuthEvent(pdu, eventId, roomId, v), () => undefined), `v${id}`).toEqual({ ok: true });
    }
  });
});

describe('buildEvent', () => {
  for (const id of SUPPORTED_ROOM_VERSIONS) {
    it(`builds a hashed room v${id} event whose ID survives signing and which passes format and signature checks`, () => {
      const v = getRoomVersion(id)!;
      const create = createFor(id);
      const ref = eventReference(create.pdu, v);
      const built = buildEvent({
        version: v,
        roomId: create.roomId,
        sender: ALICE,
        origin: ORIGIN,
        template: { type: 'm.room.member', stateKey: ALICE, content: { membership: 'join' } },
        prevEvents: [ref],
        authEvents: v.auth.roomIdIsCreateEventId ? [] : [ref],
        depth: 2,
        originServerTs: 1_700_000_000_001,
        eventIdLocalpart: 'join1',
      });
      expect(checkContentHash(built.pdu, v)).toBe(true);
      expect(isValidEventId(built.eventId, v.eventIdFormat)).toBe(true);
      const signed = signEvent(built.pdu, v, ORIGIN, KEY_ID, SEED);
      expect(computeEventId(signed, v)).toBe(built.eventId);
      expect(checkEventFormat(signed, v)).toEqual({ ok: true });
      const verified = verifyEventHashesAndSignatures(signed as unknown as Record<string, unknown>, v, keys);
      expect(verified.ok && verified.contentHashValid).toBe(true);
      // v1-2 cite [event_id, {sha256}] pairs; v3+ bare event IDs.
      expect(Array.isArray(built.pdu.prev_events[0])).toBe(v.eventFormat.eventReferencesWithHashes);
      // The creator's join passes the auth rules against the create event.
      const createAuth = toAuthEvent(create.pdu, create.eventId, create.roomId, v);
      const lookup = (type: string, key: string) => (type === 'm.room.create' && key === '' ? createAuth : undefined);
      expect(checkAuth(v.auth, toAuthEvent(built.pdu, built.eventId, create.roomId, v), lookup)).toEqual({ ok: true });
    });
  }

  it('puts redacts at the top level before room v11 and in content from v11', () => {
    const common = {
      roomId: '!room:example.org',
      sender: ALICE,
      origin: ORIGIN,
      template: { type: 'm.room.redaction', content: { reason: 'spam' }, redacts: '$target' },
      prevEvents: [],
      authEvents: [],
      depth: 5,
      originServerTs: 1,
    };
    const v10 = buildEvent({ ...common, version: ROOM_V10 }).pdu;
    expect(v10.redacts).toBe('$target');
    expect(v10.content).toEqual({ reason: 'spam' });
    const v11 = buildEvent({ ...common, version: ROOM_V11 }).pdu;
    expect(v11.redacts).toBeUndefined();
    expect(v11.content).toEqual({ reason: 'spam', redacts: '$target' });
  });

  it('writes origin only where redaction still protects it (before room v11)', () => {
    const common = { roomId: '!r:example.org', sender: ALICE, origin: ORIGIN, template: { type: 'm.room.message', content: {} }, prevEvents: [], authEvents: [], depth: 1, originServerTs: 1 };
    expect(buildEvent({ ...common, version: ROOM_V10 }).pdu.origin).toBe(ORIGIN);
    expect(buildEvent({ ...common, version: ROOM_V11 }).pdu.origin).toBeUndefined();
  });

  it('refuses to build a room v1-2 event without an event ID localpart', () => {
    expect(() =>
      buildEvent({
        version: getRoomVersion('1')!,
        roomId: '!r:example.org',
        sender: ALICE,
        origin: ORIGIN,
        template: { type: 'm.room.message', content: {} },
        prevEvents: [],
        authEvents: [],
        depth: 1,
        originServerTs: 1,
      }),
    ).toThrow();
  });
});

describe('nextDepth', () => {
  it('is one more than the deepest prev event', () => {
    expect(nextDepth([3, 9, 4], ROOM_V10)).toBe(10);
    expect(nextDepth([], ROOM_V10)).toBe(1);
  });

  it('stays at the version limit once reached ("the depth must be set to the limit")', () => {
    expect(nextDepth([Number.MAX_SAFE_INTEGER], ROOM_V6)).toBe(Number.MAX_SAFE_INTEGER);
    expect(nextDepth([Number.MAX_SAFE_INTEGER - 1], ROOM_V6)).toBe(Number.MAX_SAFE_INTEGER);
    // v1-5 allow up to 2^63 - 1, so 2^53 - 1 is not a limit there.
    expect(nextDepth([Number.MAX_SAFE_INTEGER], ROOM_V5)).toBe(2 ** 53);
  });
});
