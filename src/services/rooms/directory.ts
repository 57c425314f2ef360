// Room aliases (client-server "Room aliases", directory.yaml) and the published room
// directory ("Published room directory", list_public_rooms.yaml), with the denormalised D1
// summaries `/publicRooms` lists. Only local aliases exist until federation queries do.
import type { JsonObject } from '../../core/events/types.js';
import { parseRoomAlias } from '../../core/ids/index.js';
import * as directoryDb from '../../db/directory.js';
import type { Visibility } from '../../db/directory.js';
import { SUMMARY_STATE_TYPES, plainTopic, summaryFromState } from '../../core/room-summary.js';
import {
  type Requester,
  type Result,
  type RoomsDeps,
  canSendState,
  fail,
  membershipIn,
  nowOf,
  ok,
  roomPowerLevels,
  roomStub,
  stateContent,
} from './common.js';

// ---- aliases ----

/** Resolves a local alias to its room ID (undefined if unmapped or not ours). */
export async function resolveLocalAlias(deps: RoomsDeps, alias: string): Promise<string | undefined> {
  const row = await directoryDb.findAlias(deps.env.DB, alias);
  return row?.room_id;
}

/** "Room aliases can only be created on this server": the alias's server must be ours. */
function isLocal(deps: RoomsDeps, alias: string): boolean {
  return parseRoomAlias(alias)?.serverName === deps.serverName;
}

// GET /directory/room/{roomAlias}
export async function getAlias(deps: RoomsDeps, alias: string): Promise<Result<{ room_id: string; servers: string[] }>> {
  if (!isLocal(deps, alias)) {
    return fail(404, 'M_NOT_FOUND', `Room alias ${alias} not found: resolving aliases on other servers needs federation, not supported yet`);
  }
  const roomId = await resolveLocalAlias(deps, alias);
  if (!roomId) return fail(404, 'M_NOT_FOUND', `Room alias ${alias} not found.`);
  return ok({ room_id: roomId, servers: [deps.serverName] });
}

// PUT /directory/room/{roomAlias}
export async function setAlias(deps: RoomsDeps, requester: Requester, alias: string, roomId: string): Promise<Result<object>> {
  if (!isLocal(deps, alias)) return fail(400, 'M_INVALID_PARAM', `Room aliases must be on this server (${deps.serverName})`);
  const stub = roomStub(deps.env, roomId);
  const [info, membership] = await Promise.all([stub.getRoomInfo(), membershipIn(stub, requester.userId)]);
  if (!info.ok) return fail(404, 'M_NOT_FOUND', `Room ${roomId} not found`);
  if (membership !== 'join' && !requester.isAdmin) {
    return fail(403, 'M_FORBIDDEN', 'You must be joined to the room to give it an alias');
  }
  const created = await directoryDb.insertAlias(deps.env.DB, { alias, roomId, creator: requester.userId, now: nowOf(deps) });
  // directory.yaml: "409: A room alias with that name already exists."
  if (!created) return fail(409, 'M_ROOM_IN_USE', `Room alias ${alias} already exists.`);
  return ok({});
}

// DELETE /directory/room/{roomAlias}
export async function deleteAlias(deps: RoomsDeps, requester: Requester, alias: string): Promise<Result<object>> {
  const row = isLocal(deps, alias) ? await directoryDb.findAlias(deps.env.DB, alias) : null;
  if (!row) return fail(404, 'M_NOT_FOUND', `Room alias ${alias} not found.`);
  const stub = roomStub(deps.env, row.room_id);
  // "Servers may choose to implement additional access control checks here, for instance that
  // room aliases can only be deleted by their creator or a server administrator." Room admins
  // (who may change the canonical alias) may too, as in Synapse.
  let allowed = row.creator === requester.userId || requester.isAdmin;
  if (!allowed) {
    const pl = await roomPowerLevels(stub);
    allowed = pl !== undefined && (await membershipIn(stub, requester.userId)) === 'join' && canSendState(pl, requester.userId, 'm.room.canonical_alias');
  }
  if (!allowed) return fail(403, 'M_FORBIDDEN', 'You may not delete this alias');
  await directoryDb.deleteAlias(deps.env.DB, alias);
  // "Servers may choose to update the `alt_aliases` for the `m.room.canonical_alias` state
  // event ... delete the alias and return a successful response even if the user does not
  // have permission to update the `m.room.canonical_alias` event."
  await dropFromCanonicalAlias(deps, row.room_id, requester.userId, alias).catch((e: unknown) =>
    console.error('could not update the canonical alias after deleting', alias, e),
  );
  return ok({});
}

async function dropFromCanonicalAlias(deps: RoomsDeps, roomId: string, sender: string, alias: string): Promise<void> {
  const stub = roomStub(deps.env, roomId);
  const current = await stateContent(stub, 'm.room.canonical_alias');
  if (!current) return;
  const alt = Array.isArray(current.alt_aliases) ? current.alt_aliases : undefined;
  if (current.alias !== alias && !alt?.includes(alias)) return;
  const content: Record<string, unknown> = { ...current };
  if (content.alias === alias) delete content.alias;
  if (alt) content.alt_aliases = alt.filter((a) => a !== alias);
  await stub.sendEvent({ sender, event: { type: 'm.room.canonical_alias', stateKey: '', content: content as JsonObject } });
  await refreshRoomSummary(deps, roomId);
}

// GET /rooms/{roomId}/aliases
export async function getLocalAliases(deps: RoomsDeps, requester: Requester, roomId: string): Promise<Result<{ aliases: string[] }>> {
  const stub = roomStub(deps.env, roomId);
  // "This endpoint can be called by users who are in the room (external users receive an
  // M_FORBIDDEN error response). If the room's m.room.history_visibility maps to
  // world_readable, any user can call this endpoint."
  if (!requester.isAdmin && (await membershipIn(stub, requester.userId)) !== 'join') {
    const hv = await stateContent(stub, 'm.room.history_visibility');
    if (hv?.history_visibility !== 'world_readable') return fail(403, 'M_FORBIDDEN', 'You are not a member of the room.');
  }
  return ok({ aliases: await directoryDb.listAliases(deps.env.DB, roomId) });
}

// ---- published room directory ----

/** Whether the room exists here (the room object knows it). */
async function roomExists(deps: RoomsDeps, roomId: string): Promise<boolean> {
  return (await roomStub(deps.env, roomId).getRoomInfo()).ok;
}

// GET /directory/list/room/{roomId}
export async function getVisibility(deps: RoomsDeps, roomId: string): Promise<Result<{ visibility: Visibility }>> {
  if (!(await roomExists(deps, roomId))) return fail(404, 'M_NOT_FOUND', 'Room not found');
  return ok({ visibility: (await directoryDb.findVisibility(deps.env.DB, roomId)) ?? 'private' });
}

// PUT /directory/list/room/{roomId}
export async function setVisibility(
  deps: RoomsDeps,
  requester: Requester,
  roomId: string,
  visibility: Visibility,
): Promise<Result<object>> {
  const stub = roomStub(deps.env, roomId);
  const pl = await roomPowerLevels(stub);
  if (!pl) return fail(404, 'M_NOT_FOUND', 'Room not found');
  // "Servers MAY implement additional access control checks, for instance, to ensure that a
  // room's visibility can only be changed by the room creator or a server administrator":
  // joined members who may change the canonical alias (Synapse's rule), or server admins.
  if (!requester.isAdmin) {
    const joined = (await membershipIn(stub, requester.userId)) === 'join';
    if (!joined || !canSendState(pl, requester.userId, 'm.room.canonical_alias')) {
      return fail(403, 'M_FORBIDDEN', 'You may not change the visibility of this room in the directory');
    }
  }
  await publish(deps, roomId, visibility);
  return ok({});
}

/** Sets the directory visibility, refreshing the summary when the room becomes listed. */
export async function publish(deps: RoomsDeps, roomId: string, visibility: Visibility): Promise<void> {
  if (visibility === 'public') await refreshRoomSummary(deps, roomId);
  await directoryDb.setVisibility(deps.env.DB, roomId, visibility);
}

// The summary itself is computed in core (the room object computes it too, after state
// changes that do not pass through these services: redactions, federation, state resolution).
export { SUMMARY_STATE_TYPES, plainTopic, summaryFromState };

/**
 * Re-reads the summarised state from the room object and stores it in D1. The room's stream
 * position is read first, so the summary is at least that new: D1 keeps whichever write
 * (this or the room object's outbox) summarises the later position.
 */
export async function refreshRoomSummary(deps: RoomsDeps, roomId: string): Promise<void> {
  const stub = roomStub(deps.env, roomId);
  const info = await stub.getRoomInfo();
  if (!info.ok) return;
  const contents = await Promise.all(SUMMARY_STATE_TYPES.map((t) => stateContent(stub, t)));
  const byType = new Map(SUMMARY_STATE_TYPES.map((t, i) => [t, contents[i]]));
  await directoryDb.upsertSummary(deps.env.DB, roomId, summaryFromState((t) => byType.get(t)), nowOf(deps), info.info.stream);
}

/**
 * After a state change: refresh the summary if the type is summarised and the room is
 * listed. Done before answering, so a client that renames its room sees the new name in the
 * directory straight away; it costs one D1 read for every other state change.
 */
export async function onStateChanged(deps: RoomsDeps, roomId: string, type: string): Promise<void> {
  if (!SUMMARY_STATE_TYPES.includes(type)) return;
  if ((await directoryDb.findVisibility(deps.env.DB, roomId)) !== 'public') return;
  await refreshRoomSummary(deps, roomId);
}

export interface PublicRoomsRequest {
  limit?: number;
  since?: string;
  server?: string;
  filter?: { generic_search_term?: string; room_types?: (string | null)[] };
}

export interface PublicRoomsChunk {
  room_id: string;
  num_joined_members: number;
  world_readable: boolean;
  guest_can_join: boolean;
  name?: string;
  topic?: string;
  canonical_alias?: string;
  avatar_url?: string;
  join_rule?: string;
  room_type?: string;
}

export interface PublicRoomsResponse {
  chunk: PublicRoomsChunk[];
  next_batch?: string;
  prev_batch?: string;
  total_room_count_estimate: number;
}

const DEFAULT_PUBLIC_ROOMS_LIMIT = 100;
const MAX_PUBLIC_ROOMS_LIMIT = 500;
// Pagination tokens are offsets into the stable order ("o40"); opaque to clients.
const TOKEN = /^o(\d{1,9})$/;

// GET/POST /publicRooms
export async function listPublicRooms(deps: RoomsDeps, req: PublicRoomsRequest): Promise<Result<PublicRoomsResponse>> {
  if (req.server !== undefined && req.server !== deps.serverName) {
    return fail(404, 'M_NOT_FOUND', `Listing the directory of ${req.server} needs federation, not supported yet`);
  }
  let offset = 0;
  if (req.since !== undefined) {
    const m = TOKEN.exec(req.since);
    if (!m) return fail(400, 'M_INVALID_PARAM', 'Unknown pagination token');
    offset = Number(m[1]);
  }
  const limit = Math.min(Math.max(req.limit ?? DEFAULT_PUBLIC_ROOMS_LIMIT, 1), MAX_PUBLIC_ROOMS_LIMIT);
  const { rows, total } = await directoryDb.queryPublicRooms(deps.env.DB, {
    searchTerm: req.filter?.generic_search_term?.trim() || undefined,
    roomTypes: req.filter?.room_types,
    offset,
    limit,
  });
  const chunk = rows.map((r): PublicRoomsChunk => {
    const out: PublicRoomsChunk = {
      room_id: r.room_id,
      num_joined_members: r.num_joined_members,
      world_readable: r.history_visibility === 'world_readable',
      guest_can_join: r.guest_access === 'can_join',
    };
    if (r.name !== null) out.name = r.name;
    if (r.topic !== null) out.topic = r.topic;
    if (r.canonical_alias !== null) out.canonical_alias = r.canonical_alias;
    if (r.avatar_url !== null) out.avatar_url = r.avatar_url;
    if (r.join_rule !== null) out.join_rule = r.join_rule;
    if (r.room_type !== null) out.room_type = r.room_type;
    return out;
  });
  const res: PublicRoomsResponse = { chunk, total_room_count_estimate: total };
  if (offset + rows.length < total) res.next_batch = `o${offset + rows.length}`;
  if (offset > 0) res.prev_batch = `o${Math.max(0, offset - limit)}`;
  return ok(res);
}
