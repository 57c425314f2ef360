// PDU format checks per room version (room versions "Event format" → pdu_v1/v3/v4/v6/v11/
// v12 definitions; client-server "Size limits"; room versions "Canonical JSON"). Check 1 on
// receipt of a PDU: "Is a valid event, otherwise it is dropped. For an event to be valid, it
// must comply with the event format of that room version." Also `toAuthEvent`, the
// normalised view the auth rules and state resolution read.
import { canonicalJsonBytes } from '../json/canonical.js';
import { isValidEventId } from '../ids/event-id.js';
import { parseRoomId, roomIdFromCreateEventId } from '../ids/room-id.js';
import { isValidUserId } from '../ids/user-id.js';
import { utf8ByteLength } from '../ids/common.js';
import type { AuthEvent, EventReference, Pdu } from './types.js';
import type { RoomVersion } from '../room-versions.js';
import { isJsonObject } from '../json/object.js';

export type FormatCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** "The complete event MUST NOT be larger than 65536 bytes, when formatted with the federation event format, including any signatures, and encoded as Canonical JSON." */
export const MAX_PDU_BYTES = 65536;
/** "`state_key` MUST NOT exceed 255 bytes. `type` MUST NOT exceed 255 bytes." */
export const MAX_KEY_BYTES = 255;
/** prev_events: "Must contain less than or equal to 20 events." */
export const MAX_PREV_EVENTS = 20;
/** auth_events: "Must contain less than or equal to 10 events." */
export const MAX_AUTH_EVENTS = 10;

type Json = Record<string, unknown>;
const OK: FormatCheck = Object.freeze({ ok: true });
const fail = (reason: string): FormatCheck => ({ ok: false, reason });

function isInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value);
}

/** v6+: "Numbers in the JSON must be integers in the range [-(2**53)+1, (2**53)-1]" anywhere in the event. */
function findNonCanonicalNumber(value: unknown, path: string): string | undefined {
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) ? undefined : path || '<root>';
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const bad = findNonCanonicalNumber(value[i], `${path}[${i}]`);
      if (bad !== undefined) return bad;
    }
  } else if (isJsonObject(value)) {
    for (const key of Object.keys(value)) {
      const bad = findNonCanonicalNumber(value[key], path ? `${path}.${key}` : key);
      if (bad !== undefined) return bad;
    }
  }
  return undefined;
}

function checkReferences(name: string, refs: unknown, max: number, version: RoomVersion): FormatCheck {
  if (!Array.isArray(refs)) return fail(`${name} is not an array`);
  if (refs.length > max) return fail(`${name} has more than ${max} entries`);
  for (const ref of refs) {
    if (version.eventFormat.eventReferencesWithHashes) {
      // v1-2: `[event_id, {sha256}]` pairs (pdu_v1: minItems 2, maxItems 2; event_hash requires sha256).
      if (!Array.isArray(ref) || ref.length !== 2) return fail(`${name} entry is not an [event_id, hashes] pair`);
      if (typeof ref[0] !== 'string' || !isValidEventId(ref[0], version.eventIdFormat)) return fail(`${name} has an invalid event ID`);
      if (!isJsonObject(ref[1]) || typeof ref[1].sha256 !== 'string') return fail(`${name} entry has no sha256 hash`);
    } else if (typeof ref !== 'string' || !isValidEventId(ref, version.eventIdFormat)) {
      return fail(`${name} has an invalid event ID`);
    }
  }
  return OK;
}

function checkRoomId(pdu: Json, version: RoomVersion): FormatCheck {
  const roomId = pdu.room_id;
  if (version.roomIdFromCreateEvent) {
    // room_id_v12: "Omitted from `m.room.create` events." A create event that has one is
    // rejected by auth rule 1.2, not dropped here.
    if (roomId === undefined) return pdu.type === 'm.room.create' ? OK : fail('room_id is missing');
    if (typeof roomId !== 'string') return fail('room_id is not a string');
    if (pdu.type === 'm.room.create') return OK;
    return parseRoomId(roomId)?.kind === 'create-event-hash' ? OK : fail('room_id is not a create event hash');
  }
  if (typeof roomId !== 'string') return fail('room_id is missing');
  return parseRoomId(roomId)?.kind === 'server' ? OK : fail('room_id is invalid');
}

function checkSignaturesShape(signatures: unknown): FormatCheck {
  if (!isJsonObject(signatures)) return fail('signatures is not an object');
  for (const entity of Object.keys(signatures)) {
    const sigs = signatures[entity];
    if (!isJsonObject(sigs)) return fail('signatures entry is not an object');
    if (!Object.values(sigs).every((s) => typeof s === 'string')) return fail('signature is not a string');
  }
  return OK;
}

function checkFields(pdu: Json, version: RoomVersion): FormatCheck {
  // pdu_base: required sender, origin_server_ts, type, content, depth, hashes, signatures.
  if (typeof pdu.type !== 'string') return fail('type is missing');
  if (utf8ByteLength(pdu.type) > MAX_KEY_BYTES) return fail('type exceeds 255 bytes');
  if (pdu.state_key !== undefined) {
    if (typeof pdu.state_key !== 'string') return fail('state_key is not a string');
    if (utf8ByteLength(pdu.state_key) > MAX_KEY_BYTES) return fail('state_key exceeds 255 bytes');
  }
  // "`sender` MUST NOT exceed the size limit for user IDs" (isValidUserId checks 255 bytes).
  if (typeof pdu.sender !== 'string' || !isValidUserId(pdu.sender)) return fail('sender is not a valid user ID');
  // origin_server_ts: "type: integer" (v1-5 tolerate non-canonical numbers, so only v6+ insist).
  const ts = pdu.origin_server_ts;
  if (typeof ts !== 'number' || (version.enforceCanonicalJson && !Number.isInteger(ts))) {
    return fail('origin_server_ts is not an integer');
  }
  if (!isJsonObject(pdu.content)) return fail('content is not an object');
  if (!isJsonObject(pdu.hashes) || typeof pdu.hashes.sha256 !== 'string') return fail('hashes.sha256 is missing');
  const signatures = checkSignaturesShape(pdu.signatures);
  if (!signatures.ok) return signatures;
  if (pdu.unsigned !== undefined && !isJsonObject(pdu.unsigned)) return fail('unsigned is not an object');
  // depth: "Must be less than the maximum value for an integer (2^63 - 1)"; v6+ 2^53 - 1.
  if (!isInteger(pdu.depth) || pdu.depth < 0) return fail('depth is not a non-negative integer');
  if (pdu.depth > version.eventFormat.maxDepth) return fail('depth is too large');
  // v1-2 carry their event ID; "`event_id` MUST NOT exceed the size limit for event IDs".
  if (version.eventFormat.eventIdInEvent) {
    if (typeof pdu.event_id !== 'string' || !isValidEventId(pdu.event_id, version.eventIdFormat)) {
      return fail('event_id is missing or invalid');
    }
  }
  const roomId = checkRoomId(pdu, version);
  if (!roomId.ok) return roomId;
  // pdu_v1 … pdu_v6: "redacts: For redaction events, the ID of the event being redacted."
  if (!version.eventFormat.redactsInContent && pdu.redacts !== undefined && typeof pdu.redacts !== 'string') {
    return fail('redacts is not a string');
  }
  const prev = checkReferences('prev_events', pdu.prev_events, MAX_PREV_EVENTS, version);
  if (!prev.ok) return prev;
  return checkReferences('auth_events', pdu.auth_events, MAX_AUTH_EVENTS, version);
}

/**
 * Whether a PDU has the format its room version requires. The caller has parsed the JSON;
 * a JSON number written as a float with no fraction (`1.0`, `1e3`) arrives here as an
 * integer and cannot be told apart.
 */
export function checkEventFormat(pdu: unknown, version: RoomVersion): FormatCheck {
  if (!isJsonObject(pdu)) return fail('event is not an object');
  try {
    // v6+: "Servers MUST strictly enforce the JSON format ... discarding of events over federation".
    if (version.enforceCanonicalJson) {
      const bad = findNonCanonicalNumber(pdu, '');
      if (bad !== undefined) return fail(`non-canonical number at ${bad}`);
    }
    const size = canonicalJsonBytes(pdu, { strictNumbers: version.enforceCanonicalJson }).length;
    if (size > MAX_PDU_BYTES) return fail('event exceeds 65536 bytes');
  } catch (e) {
    // A non-finite number, or nesting deep enough to exhaust the stack.
    return fail(`cannot encode as canonical JSON: ${(e as Error).message}`);
  }
  return checkFields(pdu, version);
}

function referenceId(ref: EventReference | unknown): string | undefined {
  if (typeof ref === 'string') return ref;
  return Array.isArray(ref) && typeof ref[0] === 'string' ? ref[0] : undefined;
}

function referenceIds(refs: unknown): string[] {
  if (!Array.isArray(refs)) return [];
  return refs.map(referenceId).filter((id): id is string => id !== undefined);
}

/**
 * The normalised view of a (format-checked) PDU: v1-2 `[event_id, hashes]` pairs become
 * IDs; `redacts` comes from the top level (v1-10) or, from v11, from `content` ("Client
 * should look for the `redacts` key under `content`"); a room v12 create event, which has
 * no `room_id`, gets the room ID its own event ID implies. `roomId` overrides the event's.
 */
export function toAuthEvent(pdu: Pdu, eventId: string, roomId: string | undefined, version: RoomVersion): AuthEvent {
  const content = isJsonObject(pdu.content) ? pdu.content : {};
  const redacts = version.eventFormat.redactsInContent ? content.redacts : pdu.redacts;
  const ownRoomId =
    typeof pdu.room_id === 'string'
      ? pdu.room_id
      : version.roomIdFromCreateEvent && pdu.type === 'm.room.create'
        ? roomIdFromCreateEventId(eventId)
        : '';
  return {
    eventId,
    roomId: roomId ?? ownRoomId,
    sender: pdu.sender,
    type: pdu.type,
    stateKey: typeof pdu.state_key === 'string' ? pdu.state_key : undefined,
    content,
    authEvents: referenceIds(pdu.auth_events),
    prevEvents: referenceIds(pdu.prev_events),
    originServerTs: pdu.origin_server_ts,
    depth: pdu.depth,
    redacts: typeof redacts === 'string' ? redacts : undefined,
  };
}
