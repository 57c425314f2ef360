// Building local events (server-server "PDUs"; room versions "Event format"): the fields a
// server fills in around what a client asked for. Pure: the caller supplies the clock, the
// prev/auth event references and, for room v1-2, the random part of the event ID. The result
// carries its content hash but no signature; the caller signs `eventSigningPayload(pdu)`
// (asynchronously, with WebCrypto) and attaches it with `withSignature`. Neither the event ID
// nor the v12 room ID depends on signatures, so both are known before signing.
import { computeEventId, computeRoomId, withContentHash } from '../crypto/hashes.js';
import type { EventId, EventReference, JsonObject, Pdu } from './types.js';
import type { RoomVersion } from '../room-versions.js';

/** What a client asks to send. */
export interface EventTemplate {
  type: string;
  stateKey?: string | undefined;
  content: JsonObject;
  /** m.room.redaction: "The event ID that was redacted". */
  redacts?: string | undefined;
}

export interface BuildEventInput {
  version: RoomVersion;
  /** Absent only for a room v12 m.room.create ("Omitted from `m.room.create` events"). */
  roomId: string | undefined;
  sender: string;
  /** This server's name: `origin` (v1-10) and the domain of v1-2 event IDs. */
  origin: string;
  template: EventTemplate;
  /** References as the version writes them (see `eventReference`): pairs in v1-2, IDs from v3. */
  prevEvents: EventReference[];
  authEvents: EventReference[];
  /** From `nextDepth`. */
  depth: number;
  originServerTs: number;
  /** Room v1-2: the opaque part of `$opaque:origin` (random, from the caller). */
  eventIdLocalpart?: string | undefined;
}

export interface BuiltEvent {
  /** Hashed, unsigned. */
  pdu: Pdu;
  eventId: EventId;
}

/**
 * "depth: The maximum depth of the `prev_events`, plus one. Must be less than the maximum
 * value for an integer (2^63 - 1). If the room's depth is already at the limit, the depth
 * must be set to the limit." The create event has depth 1 (no prev events).
 */
export function nextDepth(prevDepths: readonly number[], version: RoomVersion): number {
  let max = 0;
  for (const d of prevDepths) if (d > max) max = d;
  return Math.min(max + 1, version.eventFormat.maxDepth);
}

/** Builds and hashes an event. The field order follows nothing: canonical JSON sorts keys. */
export function buildEvent(input: BuildEventInput): BuiltEvent {
  const { version, template } = input;
  const pdu: Record<string, unknown> = {
    type: template.type,
    sender: input.sender,
    content: template.content,
    origin_server_ts: input.originServerTs,
    depth: input.depth,
    prev_events: input.prevEvents,
    auth_events: input.authEvents,
  };
  if (input.roomId !== undefined) pdu.room_id = input.roomId;
  if (template.stateKey !== undefined) pdu.state_key = template.stateKey;
  // `origin` is protected from redaction until v11 ("no longer protected"); later PDU
  // definitions no longer list it, so it is only written where it still means something.
  if (version.redaction.keepOriginMembershipAndPrevState) pdu.origin = input.origin;
  if (template.redacts !== undefined) {
    // v11+: "The `redacts` property ... is moved from a top-level event property to a
    // property under the event `content`."
    if (version.eventFormat.redactsInContent) pdu.content = { ...template.content, redacts: template.redacts };
    else pdu.redacts = template.redacts;
  }
  if (version.eventFormat.eventIdInEvent) {
    if (!input.eventIdLocalpart) throw new Error('room v1-2 events need an event ID localpart');
    pdu.event_id = `$${input.eventIdLocalpart}:${input.origin}`;
  }
  const hashed = withContentHash({ ...pdu, signatures: {} }, version) as unknown as Pdu;
  return { pdu: hashed, eventId: computeEventId(hashed, version) };
}

export interface BuildCreateEventInput {
  version: RoomVersion;
  sender: string;
  origin: string;
  /** Extra content (`creation_content`, `additional_creators`, `predecessor`, ...). */
  content?: JsonObject;
  originServerTs: number;
  /** v1-11: the room ID the server chose (`!opaque:origin`). Ignored in v12. */
  roomId?: string;
  /** v1-2: the opaque part of the event ID. */
  eventIdLocalpart?: string;
}

/**
 * The m.room.create event and the room ID it belongs to: `room_id` and `room_version` in
 * content; before v11 `creator` ("The `user_id` of the room creator", removed in v11); in v12
 * no `room_id`, and the room ID is the event ID with `!` for `$`.
 */
export function buildCreateEvent(input: BuildCreateEventInput): BuiltEvent & { roomId: string } {
  const { version } = input;
  const content: JsonObject = { ...input.content, room_version: version.id };
  if (!version.auth.useCreateSenderAsCreator) content.creator = input.sender;
  else delete content.creator;
  if (!version.roomIdFromCreateEvent && input.roomId === undefined) throw new Error('room v1-11 needs a room ID');
  const built = buildEvent({
    version,
    roomId: version.roomIdFromCreateEvent ? undefined : input.roomId,
    sender: input.sender,
    origin: input.origin,
    template: { type: 'm.room.create', stateKey: '', content },
    prevEvents: [],
    authEvents: [],
    depth: 1,
    originServerTs: input.originServerTs,
    eventIdLocalpart: input.eventIdLocalpart,
  });
  const roomId = computeRoomId(built.pdu, version) ?? input.roomId!;
  return { ...built, roomId };
}
