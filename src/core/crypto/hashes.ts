// Event hashes (server-server "Calculating the content hash for an event", "Calculating
// the reference hash for an event") and the identifiers built from them: event IDs
// (room versions "Event IDs") and room v12 room IDs.
import { canonicalJsonBytes, type CanonicalJsonOptions } from '../json/canonical.js';
import { decodeBase64, encodeBase64, encodeBase64Url } from '../json/base64.js';
import { redactEvent } from '../events/redaction.js';
import { sha256 } from './sha256.js';
import type { EventId, EventReference, RoomId } from '../events/types.js';
import type { RoomVersion } from '../room-versions.js';

/** How a version's events are encoded for hashing: v1-5 tolerate non-canonical numbers. */
export function canonicalOptions(version: RoomVersion | undefined): CanonicalJsonOptions {
  return { strictNumbers: version?.enforceCanonicalJson ?? true };
}

/**
 * The content hash, in unpadded Base64: "any existing `unsigned`, `signatures`, and `hashes`
 * properties are removed. The resulting object is then encoded as Canonical JSON, and the
 * JSON is hashed using SHA-256." Without a version, numbers are held to the strict rules.
 */
export function computeContentHash(pdu: object, version?: RoomVersion): string {
  const { unsigned: _u, signatures: _s, hashes: _h, ...rest } = pdu as Record<string, unknown>;
  return encodeBase64(sha256(canonicalJsonBytes(rest, canonicalOptions(version))));
}

/** A copy of the event with `hashes.sha256` set to its content hash (other algorithms kept). */
export function withContentHash<T extends object>(pdu: T, version?: RoomVersion): T & { hashes: { sha256: string } } {
  const hashes = (pdu as { hashes?: unknown }).hashes;
  const others = hashes !== null && typeof hashes === 'object' && !Array.isArray(hashes) ? hashes : {};
  return { ...pdu, hashes: { ...others, sha256: computeContentHash(pdu, version) } };
}

/**
 * "The content hash in the `hashes` property of the received event is base64-decoded, and
 * the two are compared for equality." False when the hash is missing or malformed.
 */
export function checkContentHash(pdu: object, version?: RoomVersion): boolean {
  const claimed = (pdu as { hashes?: { sha256?: unknown } }).hashes?.sha256;
  if (typeof claimed !== 'string') return false;
  const claimedBytes = decodeBase64(claimed);
  const actual = decodeBase64(computeContentHash(pdu, version))!;
  return claimedBytes !== undefined && claimedBytes.length === actual.length && claimedBytes.every((b, i) => b === actual[i]);
}

/**
 * The reference hash (raw sha256 bytes): "1. The event is put through the redaction
 * algorithm. 2. The `signatures` and `unsigned` properties are removed from the event, if
 * present. 3. The event is converted into Canonical JSON. 4. A sha256 hash is calculated".
 * (Redaction already drops `unsigned`.) A v3+ PDU must not carry an `event_id` of its own
 * making: redaction keeps that key, so it would be hashed.
 */
export function computeReferenceHash(pdu: object, version: RoomVersion): Uint8Array {
  const { signatures: _s, unsigned: _u, ...rest } = redactEvent(pdu, version.redaction);
  return sha256(canonicalJsonBytes(rest, canonicalOptions(version)));
}

/**
 * The event's ID. v1-2: "the event ID is a distinct field" (throws if the event lacks one,
 * which the format check rules out); v3: `$` + reference hash in standard unpadded Base64;
 * v4+: "the reference hash of the event encoded using URL-safe unpadded Base64", with `$`.
 */
export function computeEventId(pdu: object, version: RoomVersion): EventId {
  switch (version.eventIdFormat) {
    case 'v1': {
      const id = (pdu as { event_id?: unknown }).event_id;
      if (typeof id !== 'string') throw new Error('room v1-2 event has no event_id');
      return id as EventId;
    }
    case 'v3':
      return `$${encodeBase64(computeReferenceHash(pdu, version))}` as EventId;
    case 'v4':
      return `$${encodeBase64Url(computeReferenceHash(pdu, version))}` as EventId;
  }
}

/**
 * How other events refer to this one in `prev_events` and `auth_events`: v1-2 "lists of
 * `(event_id, hash)` pairs" (the reference hash, standard Base64); v3+ the event ID.
 */
export function eventReference(pdu: object, version: RoomVersion): EventReference {
  const eventId = computeEventId(pdu, version);
  if (!version.eventFormat.eventReferencesWithHashes) return eventId;
  return [eventId, { sha256: encodeBase64(computeReferenceHash(pdu, version)) }];
}

/**
 * Room v12: "room IDs are simply the event ID of the `m.room.create` event using `!` as the
 * sigil instead of `$`". Undefined for versions whose room IDs are chosen by the server.
 */
export function computeRoomId(createPdu: object, version: RoomVersion): RoomId | undefined {
  if (!version.roomIdFromCreateEvent) return undefined;
  return `!${computeEventId(createPdu, version).slice(1)}` as RoomId;
}
