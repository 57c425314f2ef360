import { describe, expect, it } from 'vitest';
import { checkEventFormat, MAX_PDU_BYTES, toAuthEvent } from '../../src/core/events/format.js';
import { canonicalJson } from '../../src/core/json/canonical.js';
import type { Pdu } from '../../src/core/events/types.js';
import { SUPPORTED_ROOM_VERSIONS, getRoomVersion, type RoomVersion } from '../../src/core/room-versions.js';

const V = (id: string) => getRoomVersion(id)!;
const STD_ID = '$abc/def+ghiabc/def+ghiabc/def+ghiabc/def+gh';
const URL_ID = '$Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg';
const V12_ROOM = '!Nhcu5BS-UMnFX7hBVfVSoXiD7OgH6iRT-xyIuqDnpYQ';

/** A well-formed PDU for the version: v1-2 carry event_id and reference pairs, v3 standard IDs, v4+ URL-safe, v12 hash room IDs. */
function pduFor(version: RoomVersion, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const ref = { v1: ['$prev:example.org', { sha256: 'aGFzaA' }], v3: STD_ID, v4: URL_ID }[version.eventIdFormat];
  return {
    ...(version.eventFormat.eventIdInEvent ? { event_id: '$e1:example.org' } : {}),
    room_id: version.roomIdFromCreateEvent ? V12_ROOM : '!room:example.org',
    sender: '@alice:example.org',
    origin_server_ts: 1_700_000_000_000,
    type: 'm.room.message',
    content: { body: 'hi' },
    prev_events: [ref],
    auth_events: [ref],
    depth: 5,
    hashes: { sha256: 'aGFzaA' },
    signatures: { 'example.org': { 'ed25519:1': 'c2ln' } },
    unsigned: { age: 1 },
    ...extra,
  };
}
const check = (id: string, extra: Record<string, unknown> = {}) => checkEventFormat(pduFor(V(id), extra), V(id));
const without = (id: string, key: string) => {
  const { [key]: _drop, ...rest } = pduFor(V(id));
  return checkEventFormat(rest, V(id));
};

describe('PDU format', () => {
  it('accepts a well-formed event in every room version', () => {
    for (const id of SUPPORTED_ROOM_VERSIONS) expect(check(id), id).toEqual({ ok: true });
  });
  it.each(['sender', 'origin_server_ts', 'type', 'content', 'depth', 'hashes', 'signatures', 'prev_events', 'auth_events', 'room_id'])(
    'drops an event without %s in every room version',
    (key) => {
      for (const id of SUPPORTED_ROOM_VERSIONS) expect(without(id, key).ok, id).toBe(false);
    },
  );
  it('requires event_id in room versions 1-2 only', () => {
    expect(without('1', 'event_id').ok).toBe(false);
    expect(without('2', 'event_id').ok).toBe(false);
    expect(check('1', { event_id: STD_ID }).ok).toBe(false);
    expect(check('3', { event_id: URL_ID }).ok).toBe(true); // tolerated, though v3+ compute it
  });
  it('drops a non-object event, content, hashes, signatures or unsigned', () => {
    expect(checkEventFormat([], V('12')).ok).toBe(false);
    expect(checkEventFormat(null, V('12')).ok).toBe(false);
    expect(check('12', { content: [] }).ok).toBe(false);
    expect(check('12', { hashes: { sha256: 1 } }).ok).toBe(false);
    expect(check('12', { signatures: { 'example.org': 'sig' } }).ok).toBe(false);
    expect(check('12', { signatures: { 'example.org': { 'ed25519:1': 5 } } }).ok).toBe(false);
    expect(check('12', { unsigned: 'x' }).ok).toBe(false);
  });
  it('limits type and state_key to 255 bytes of UTF-8', () => {
    expect(check('12', { type: 'a'.repeat(255) }).ok).toBe(true);
    expect(check('12', { type: 'a'.repeat(256) }).ok).toBe(false);
    expect(check('12', { state_key: 'é'.repeat(127) }).ok).toBe(true);
    expect(check('12', { state_key: 'é'.repeat(128) })).toEqual({ ok: false, reason: 'state_key exceeds 255 bytes' });
    expect(check('12', { state_key: 5 }).ok).toBe(false);
  });
  it('requires sender to be a user ID of at most 255 bytes (historical grammar accepted)', () => {
    expect(check('12', { sender: '@Old Style!:example.org' }).ok).toBe(true);
    expect(check('12', { sender: 'alice' }).ok).toBe(false);
    expect(check('12', { sender: `@${'a'.repeat(243)}:example.org` }).ok).toBe(false);
  });
  it('limits the whole event to 65536 bytes of canonical JSON, signatures and unsigned included', () => {
    const base = pduFor(V('12'), { content: { body: '' } });
    const room = MAX_PDU_BYTES - canonicalJson(base).length;
    expect(checkEventFormat({ ...base, content: { body: 'x'.repeat(room) } }, V('12'))).toEqual({ ok: true });
    expect(checkEventFormat({ ...base, content: { body: 'x'.repeat(room + 1) } }, V('12'))).toEqual({ ok: false, reason: 'event exceeds 65536 bytes' });
    const signatures = { 'example.org': { 'ed25519:1': 's'.repeat(room + 1 + 'c2ln'.length) } };
    expect(checkEventFormat({ ...base, signatures }, V('12')).ok).toBe(false);
  });
  it('requires depth to be a non-negative integer, at most 2^53-1 from v6 and 2^63-1 before', () => {
    for (const id of SUPPORTED_ROOM_VERSIONS) {
      expect(check(id, { depth: -1 }).ok, id).toBe(false);
      expect(check(id, { depth: 1.5 }).ok, id).toBe(false);
      expect(check(id, { depth: '5' }).ok, id).toBe(false);
      expect(check(id, { depth: Number.MAX_SAFE_INTEGER }).ok, id).toBe(true);
    }
    expect(check('5', { depth: 2 ** 60 }).ok).toBe(true);
    expect(check('6', { depth: 2 ** 60 }).ok).toBe(false);
    expect(check('5', { depth: 2 ** 64 }).ok).toBe(false);
  });
  it('allows at most 20 prev_events and 10 auth_events', () => {
    for (const id of ['1', '3', '12']) {
      const ref = (pduFor(V(id)).prev_events as unknown[])[0];
      expect(check(id, { prev_events: Array(20).fill(ref), auth_events: Array(10).fill(ref) }).ok, id).toBe(true);
      expect(check(id, { prev_events: Array(21).fill(ref) }).ok, id).toBe(false);
      expect(check(id, { auth_events: Array(11).fill(ref) }).ok, id).toBe(false);
      expect(check(id, { prev_events: {} }).ok, id).toBe(false);
    }
  });
  it('takes [event_id, {sha256}] pairs in v1-2 and plain event IDs from v3', () => {
    expect(check('1', { prev_events: ['$prev:example.org'] }).ok).toBe(false);
    expect(check('2', { auth_events: [['$prev:example.org']] }).ok).toBe(false);
    expect(check('2', { auth_events: [['$prev:example.org', {}]] }).ok).toBe(false);
    expect(check('3', { prev_events: [['$prev:example.org', { sha256: 'x' }]] }).ok).toBe(false);
    expect(check('4', { prev_events: [5] }).ok).toBe(false);
  });
  it('checks referenced event IDs against the version format: standard Base64 in v3, URL-safe from v4', () => {
    expect(check('3', { prev_events: [URL_ID] }).ok).toBe(false);
    expect(check('4', { prev_events: [STD_ID] }).ok).toBe(false);
    expect(check('11', { auth_events: ['$x:example.org'] }).ok).toBe(false);
  });
  it('enforces canonical JSON numbers from v6: floats and out-of-range integers anywhere are dropped', () => {
    for (const id of ['1', '5']) {
      expect(check(id, { content: { n: 1.5, big: 2 ** 60 } }).ok, id).toBe(true);
      expect(check(id, { origin_server_ts: 1.5 }).ok, id).toBe(true);
    }
    for (const id of ['6', '10', '12']) {
      expect(check(id, { content: { n: [{ deep: 1.5 }] } }), id).toEqual({ ok: false, reason: 'non-canonical number at content.n[0].deep' });
      expect(check(id, { content: { big: 2 ** 53 } }).ok, id).toBe(false);
      expect(check(id, { unsigned: { age: 0.5 } }).ok, id).toBe(false);
      expect(check(id, { origin_server_ts: 1.5 }).ok, id).toBe(false);
    }
  });
  it('drops rather than throws on nesting deep enough to exhaust the stack', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(check('12', { content: { deep } }).ok).toBe(false);
  });
  it('room ID: server form up to v11, create-event hash in v12', () => {
    expect(check('11', { room_id: V12_ROOM }).ok).toBe(false);
    expect(check('12', { room_id: '!room:example.org' }).ok).toBe(false);
    expect(check('11', { room_id: 'room' }).ok).toBe(false);
  });
  it('v12: the create event has no room_id; other events and earlier versions need one', () => {
    const create = (id: string) => {
      const { room_id: _r, ...rest } = pduFor(V(id), { type: 'm.room.create', state_key: '', prev_events: [], auth_events: [] });
      return checkEventFormat(rest, V(id));
    };
    expect(create('12')).toEqual({ ok: true });
    expect(create('11').ok).toBe(false);
    // a v12 create event that has a room_id is left for auth rule 1.2 to reject
    expect(check('12', { type: 'm.room.create', state_key: '', prev_events: [], auth_events: [], room_id: '!x:example.org' }).ok).toBe(true);
  });
  it('requires a top-level redacts to be a string up to v10; from v11 it moved into content', () => {
    expect(check('10', { type: 'm.room.redaction', redacts: URL_ID }).ok).toBe(true);
    expect(check('10', { type: 'm.room.redaction', redacts: 5 }).ok).toBe(false);
    expect(check('11', { type: 'm.room.redaction', redacts: 5, content: { redacts: URL_ID } }).ok).toBe(true);
  });
});

describe('toAuthEvent', () => {
  it('turns v1-2 reference pairs into event IDs and reads the common fields', () => {
    const pdu = pduFor(V('1'), { state_key: '' }) as unknown as Pdu;
    expect(toAuthEvent(pdu, '$e1:example.org', undefined, V('1'))).toEqual({
      eventId: '$e1:example.org',
      roomId: '!room:example.org',
      sender: '@alice:example.org',
      type: 'm.room.message',
      stateKey: '',
      content: { body: 'hi' },
      authEvents: ['$prev:example.org'],
      prevEvents: ['$prev:example.org'],
      originServerTs: 1_700_000_000_000,
      depth: 5,
      redacts: undefined,
    });
  });
  it('reads redacts from the top level up to v10 and from content from v11', () => {
    const pdu = pduFor(V('10'), { type: 'm.room.redaction', redacts: '$top', content: { redacts: '$inner' } }) as unknown as Pdu;
    expect(toAuthEvent(pdu, URL_ID, undefined, V('10')).redacts).toBe('$top');
    expect(toAuthEvent(pdu, URL_ID, undefined, V('11')).redacts).toBe('$inner');
    expect(toAuthEvent({ ...pdu, content: { redacts: 5 } } as unknown as Pdu, URL_ID, undefined, V('11')).redacts).toBeUndefined();
  });
  it('gives a v12 create event the room ID its event ID implies, unless one is passed in', () => {
    const { room_id: _r, ...create } = pduFor(V('12'), { type: 'm.room.create', state_key: '', prev_events: [], auth_events: [] });
    const eventId = `$${V12_ROOM.slice(1)}`;
    expect(toAuthEvent(create as unknown as Pdu, eventId, undefined, V('12')).roomId).toBe(V12_ROOM);
    expect(toAuthEvent(create as unknown as Pdu, eventId, '!given', V('12')).roomId).toBe('!given');
    expect(toAuthEvent(pduFor(V('12')) as unknown as Pdu, URL_ID, undefined, V('12')).roomId).toBe(V12_ROOM);
  });
  it('leaves a missing state_key undefined (a message, not a state event)', () => {
    expect(toAuthEvent(pduFor(V('12')) as unknown as Pdu, URL_ID, undefined, V('12')).stateKey).toBeUndefined();
  });
});
