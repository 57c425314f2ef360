// Sending events to a room (client-server "Sending events to a room", room_send.yaml,
// room_state.yaml, redaction.yaml) and reading its state (rooms.yaml): the room object
// checks auth and de-duplicates transactions; this adds the client-server API's own rules.
import type { ClientEvent } from '../../../durable-objects/room/api.js';
import type { JsonObject } from '../../core/events/types.js';
import { parseRoomAlias } from '../../core/ids/index.js';
import * as directoryDb from '../../db/directory.js';
import { isForgotten } from '../../db/rooms.js';
import { type Requester, type Result, type RoomsDeps, fail, fromRoom, ok, roomStub, stateContent, tooDeeplyNested } from './common.js';
import { onStateChanged } from './directory.js';

// PUT /rooms/{roomId}/send/{eventType}/{txnId}
export async function sendMessage(
  deps: RoomsDeps,
  requester: Requester,
  roomId: string,
  type: string,
  txnId: string,
  content: Record<string, unknown>,
): Promise<Result<{ event_id: string }>> {
  const deep = tooDeeplyNested('content', content);
  if (deep) return deep;
  let redacts: string | undefined;
  let body = content;
  if (type === 'm.room.redaction' && typeof content.redacts === 'string') {
    // "Homeservers MUST allow clients to send m.room.redaction events with this endpoint for
    // all room versions. In rooms with a version older than 11 they MUST move the `redacts`
    // property inside the `content` to the top level of the event." (The object places it.)
    redacts = content.redacts;
    const { redacts: _, ...rest } = content;
    body = rest;
  }
  const r = await roomStub(deps.env, roomId).sendEvent({
    sender: requester.userId,
    event: { type, content: body as JsonObject, ...(redacts !== undefined ? { redacts } : {}) },
    // "The scope of a transaction ID is for a single device, and a single HTTP endpoint."
    txn: { deviceId: requester.deviceId, scope: `send/${type}`, txnId, tokenHash: requester.tokenHash },
  });
  return r.ok ? ok({ event_id: r.eventId }) : fromRoom(r);
}

// PUT /rooms/{roomId}/redact/{eventId}/{txnId}
export async function redactEvent(
  deps: RoomsDeps,
  requester: Requester,
  roomId: string,
  eventId: string,
  txnId: string,
  reason: string | undefined,
): Promise<Result<{ event_id: string }>> {
  const content: JsonObject = reason !== undefined ? { reason } : {};
  const r = await roomStub(deps.env, roomId).sendEvent({
    sender: requester.userId,
    event: { type: 'm.room.redaction', content, redacts: eventId },
    txn: { deviceId: requester.deviceId, scope: `redact/${eventId}`, txnId, tokenHash: requester.tokenHash },
  });
  return r.ok ? ok({ event_id: r.eventId }) : fromRoom(r);
}

/**
 * "If the event type being sent is m.room.canonical_alias servers SHOULD ensure that any new
 * aliases being listed in the event are valid per their grammar/syntax and that they point to
 * the room ID where the state event is to be sent. Servers do not validate aliases which are
 * being removed or are already present in the state event." Aliases on other servers cannot
 * be resolved without federation and are accepted as written.
 */
async function checkCanonicalAlias(deps: RoomsDeps, roomId: string, content: Record<string, unknown>): Promise<Result<null>> {
  const aliases = listedAliases(content);
  if (!aliases.ok) return aliases;
  const listed = aliases.value;
  if (listed.length === 0) return ok(null);
  const current = await stateContent(roomStub(deps.env, roomId), 'm.room.canonical_alias');
  const existing = new Set<unknown>([current?.alias, ...(Array.isArray(current?.alt_aliases) ? current.alt_aliases : [])]);
  for (const alias of listed) {
    if (existing.has(alias)) continue;
    const parsed = typeof alias === 'string' ? parseRoomAlias(alias) : undefined;
    if (!parsed) return fail(400, 'M_INVALID_PARAM', `Invalid room alias: ${String(alias)}`);
    if (parsed.serverName !== deps.serverName) continue;
    const row = await directoryDb.findAlias(deps.env.DB, alias as string);
    if (row?.room_id !== roomId) {
      return fail(400, 'M_BAD_ALIAS', `The alias '${alias as string}' does not point to this room.`);
    }
  }
  return ok(null);
}

/** The aliases an m.room.canonical_alias content lists (`alias`, then `alt_aliases`), unchecked. */
export function listedAliases(content: Record<string, unknown>): Result<unknown[]> {
  const listed: unknown[] = [];
  if (content.alias !== undefined) listed.push(content.alias);
  if (content.alt_aliases !== undefined) {
    if (!Array.isArray(content.alt_aliases)) return fail(400, 'M_INVALID_PARAM', 'alt_aliases must be a list of room aliases');
    listed.push(...content.alt_aliases);
  }
  return ok(listed);
}

// PUT /rooms/{roomId}/state/{eventType}/{stateKey}
export async function setState(
  deps: RoomsDeps,
  requester: Requester,
  roomId: string,
  type: string,
  stateKey: string,
  content: Record<string, unknown>,
): Promise<Result<{ event_id: string }>> {
  const deep = tooDeeplyNested('content', content);
  if (deep) return deep;
  if (type === 'm.room.canonical_alias') {
    const checked = await checkCanonicalAlias(deps, roomId, content);
    if (!checked.ok) return checked;
  }
  const r = await roomStub(deps.env, roomId).sendEvent({
    sender: requester.userId,
    event: { type, stateKey, content: content as JsonObject },
  });
  if (!r.ok) return fromRoom(r);
  await onStateChanged(deps, roomId, type);
  return ok({ event_id: r.eventId });
}

// GET /rooms/{roomId}/state/{eventType}/{stateKey}
export async function getState(
  deps: RoomsDeps,
  requester: Requester,
  roomId: string,
  type: string,
  stateKey: string,
  format: 'content' | 'event',
): Promise<Result<ClientEvent | JsonObject>> {
  if (await isForgotten(deps.env.DB, requester.userId, roomId)) return fail(403, 'M_FORBIDDEN', 'You have forgotten this room');
  const r = await roomStub(deps.env, roomId).getStateEvent({ type, stateKey, asUser: requester.userId, deviceId: requester.deviceId, tokenHash: requester.tokenHash });
  if (!r.ok) return fromRoom(r);
  // "`content` (the default) will return only the content of the state event. `event` will
  // return the entire event in the usual format suitable for clients".
  return ok(format === 'event' ? r.event : r.event.content);
}

/** State events per page read from the room object. */
const STATE_PAGE = 1000;

// GET /rooms/{roomId}/state
/**
 * The room's state for the user, page by page (the object answers "the current state of the
 * room" for members and "the state of the room when they left" for former members). The
 * first page carries any refusal; the route streams the rest.
 */
export async function* getAllState(
  deps: RoomsDeps,
  requester: Requester,
  roomId: string,
): AsyncGenerator<Result<ClientEvent[]>, void, undefined> {
  if (await isForgotten(deps.env.DB, requester.userId, roomId)) {
    yield fail(403, 'M_FORBIDDEN', 'You have forgotten this room');
    return;
  }
  const stub = roomStub(deps.env, roomId);
  let from: string | undefined;
  do {
    const page = await stub.getCurrentState({ asUser: requester.userId, deviceId: requester.deviceId, tokenHash: requester.tokenHash, from, limit: STATE_PAGE });
    if (!page.ok) {
      yield fromRoom(page);
      return;
    }
    yield ok(page.events);
    from = page.next;
  } while (from !== undefined);
}
