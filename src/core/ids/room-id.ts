// Room IDs and room aliases (appendix "Room IDs", "Room Aliases").
// Room IDs are `!opaque_id:domain` in room versions 1-11; from room version 12 they are
// "simply the event ID of the `m.room.create` event using `!` as the sigil instead of `$`"
// (a URL-safe Base64 sha256 hash, no domain). Both forms are at most 255 bytes.
import { isUrlSafeHash } from './event-id.js';
import { splitSigilId, withinIdLimit } from './common.js';
import type { EventId, RoomAlias, RoomId, ServerName } from '../events/types.js';

export type ParsedRoomId =
  | { readonly kind: 'server'; readonly roomId: RoomId; readonly localpart: string; readonly serverName: ServerName }
  | { readonly kind: 'create-event-hash'; readonly roomId: RoomId; readonly hash: string };

/** Parses a room ID of either form; undefined when it matches neither. */
export function parseRoomId(text: string): ParsedRoomId | undefined {
  if (!text.startsWith('!') || !withinIdLimit(text)) return undefined;
  const roomId = text as RoomId;
  if (text.includes(':')) {
    const parts = splitSigilId(text, '!');
    return parts && { kind: 'server', roomId, ...parts };
  }
  const hash = text.slice(1);
  return isUrlSafeHash(hash) ? { kind: 'create-event-hash', roomId, hash } : undefined;
}

export function isValidRoomId(text: string): text is RoomId {
  return parseRoomId(text) !== undefined;
}

/** Room v12: the room ID of the room whose create event has this (URL-safe hash) event ID. */
export function roomIdFromCreateEventId(eventId: EventId | string): RoomId {
  return `!${eventId.slice(1)}` as RoomId;
}

/** Room v12: the create event's ID implied by a hash-form room ID, or undefined for a server-form one. */
export function createEventIdFromRoomId(roomId: RoomId | string): EventId | undefined {
  const parsed = parseRoomId(roomId);
  return parsed?.kind === 'create-event-hash' ? (`$${parsed.hash}` as EventId) : undefined;
}

export interface ParsedRoomAlias {
  readonly alias: RoomAlias;
  readonly localpart: string;
  readonly serverName: ServerName;
}

/**
 * `#room_alias:domain`: "The localpart of a room alias may contain any valid non-surrogate
 * Unicode codepoints except `:` and `NUL`", and the alias MUST NOT exceed 255 bytes.
 */
export function parseRoomAlias(text: string): ParsedRoomAlias | undefined {
  const parts = splitSigilId(text, '#');
  return parts && { alias: text as RoomAlias, ...parts };
}

export function isValidRoomAlias(text: string): text is RoomAlias {
  return parseRoomAlias(text) !== undefined;
}
