// Reading rooms for a /sync (one `syncRoom` call per room, in parallel) and placing each
// answer in its section of the response, with the filter applied.
import type { ClientEvent } from '../../../durable-objects/room/api.js';
import type { SyncRoomData, SyncRoomInput } from '../../../durable-objects/room/sync-api.js';
import { roomEventFilterAllows } from '../../core/filters.js';
import { applyEventFields } from '../../core/sync/event-fields.js';
import { filterEvents, sectionCoversRoom } from '../../core/sync/filter.js';
import { mapLimited, roomStub } from './stubs.js';
import type { BasicEvent, SyncRequest, SyncResponse } from './types.js';

/** Rooms read at once by one request. */
const ROOM_CONCURRENCY = 64;

export interface RoomRead {
  roomId: string;
  /** Room stream the client has (exclusive); absent: the room is new to it. */
  from?: number;
  to?: number;
  /** Receipts wanted: from (absent = all) to (absent = now); absent: none. */
  receipts?: { from?: number; to?: number };
  typing: boolean;
  listenUntil?: number;
  knownMembers?: Record<string, string>;
}

const NOTHING = { types: [] as string[] };

function roomInput(req: SyncRequest, read: RoomRead): SyncRoomInput {
  const { view, requester, params } = req;
  const roomId = read.roomId;
  const input: SyncRoomInput = {
    userId: requester.userId,
    deviceId: requester.deviceId,
    tokenHash: requester.tokenHash,
    fullState: params.fullState,
    timeline: sectionCoversRoom(view.timeline, roomId) ? { limit: view.timelineLimit, filter: view.timeline } : { limit: 0, filter: NOTHING },
    state: {
      filter: sectionCoversRoom(view.state, roomId) ? view.state : NOTHING,
      lazyLoadMembers: view.lazyLoadMembers,
    },
    typing: read.typing && ephemeralWants(req, roomId, 'm.typing'),
  };
  if (read.from !== undefined) input.from = read.from;
  if (read.to !== undefined) input.to = read.to;
  if (read.receipts && ephemeralWants(req, roomId, 'm.receipt')) input.receipts = read.receipts;
  if (read.listenUntil !== undefined) input.listenUntil = read.listenUntil;
  if (read.knownMembers && !view.includeRedundantMembers) input.state!.knownMembers = read.knownMembers;
  return input;
}

function ephemeralWants(req: SyncRequest, roomId: string, type: string): boolean {
  const f = req.view.ephemeral;
  return !f || (f.limit !== 0 && roomEventFilterAllows({ ...f, senders: undefined, not_senders: undefined }, { type, room_id: roomId }));
}

/** Reads the rooms in parallel; a room that fails or is unknown is left out. */
export async function readRooms(req: SyncRequest, reads: readonly RoomRead[]): Promise<Map<string, SyncRoomData>> {
  const out = new Map<string, SyncRoomData>();
  await mapLimited(reads, ROOM_CONCURRENCY, async (read) => {
    try {
      const r = await roomStub(req.deps.env, read.roomId).syncRoom(roomInput(req, read));
      if (r.ok) out.set(read.roomId, r.room);
    } catch (e) {
      console.error(`sync: reading ${read.roomId} failed`, e);
    }
  });
  return out;
}

export function emptyResponse(nextBatch: string): SyncResponse {
  return {
    next_batch: nextBatch,
    rooms: { join: {}, invite: {}, knock: {}, leave: {} },
    account_data: { events: [] },
    presence: { events: [] },
    to_device: { events: [] },
    device_lists: { changed: [], left: [] },
    device_one_time_keys_count: {},
    device_unused_fallback_key_types: [],
  };
}

const withFields = (req: SyncRequest, events: readonly ClientEvent[]) => events.map((e) => applyEventFields(e, req.view.eventFields));

/**
 * Puts one room's answer in the response. `keepEmpty`: an initial sync lists every joined
 * room; an incremental one only rooms with something new.
 */
export function placeRoom(
  req: SyncRequest,
  resp: SyncResponse,
  roomId: string,
  data: SyncRoomData,
  accountData: readonly BasicEvent[],
  keepEmpty: boolean,
): void {
  const { view } = req;
  if (!view.roomIncluded(roomId)) return;
  const roomAccountData = filterEvents(accountData, view.roomAccountData, roomId);
  const s = data.section;
  if (s.kind === 'join') {
    const ephemeral: BasicEvent[] = [];
    if (s.typing !== undefined) ephemeral.push({ type: 'm.typing', content: { user_ids: s.typing } });
    if (s.receipts !== undefined) ephemeral.push({ type: 'm.receipt', content: s.receipts });
    const events = filterEvents(ephemeral, view.ephemeral, roomId);
    const timeline = { ...s.timeline, events: withFields(req, s.timeline.events) };
    const empty = timeline.events.length === 0 && s.state.length === 0 && events.length === 0 && roomAccountData.length === 0;
    if (empty && !keepEmpty) return;
    resp.rooms.join[roomId] = {
      summary: s.summary,
      state: { events: withFields(req, s.state) },
      timeline,
      ephemeral: { events },
      account_data: { events: roomAccountData },
      // Counts arrive with push rule evaluation; the fields are present (and zero) until then.
      unread_notifications: { notification_count: 0, highlight_count: 0 },
      ...(view.unreadThreadNotifications ? { unread_thread_notifications: {} } : {}),
    };
  } else if (s.kind === 'leave') {
    resp.rooms.leave[roomId] = {
      state: { events: withFields(req, s.state) },
      timeline: { ...s.timeline, events: withFields(req, s.timeline.events) },
      account_data: { events: roomAccountData },
    };
  } else if (s.kind === 'invite') {
    resp.rooms.invite[roomId] = { invite_state: { events: s.strippedState } };
  } else if (s.kind === 'knock') {
    resp.rooms.knock[roomId] = { knock_state: { events: s.strippedState } };
  } else if (roomAccountData.length > 0 && data.membership === 'join') {
    placeAccountDataOnly(resp, roomId, roomAccountData, 'join');
  }
}

/** A room whose only news is its account data. */
export function placeAccountDataOnly(resp: SyncResponse, roomId: string, events: BasicEvent[], membership: string): void {
  if (events.length === 0) return;
  const timeline = { events: [], limited: false };
  if (membership === 'join') {
    const existing = resp.rooms.join[roomId];
    if (existing) {
      existing.account_data.events.push(...events);
      return;
    }
    resp.rooms.join[roomId] = {
      summary: {},
      state: { events: [] },
      timeline,
      ephemeral: { events: [] },
      account_data: { events },
      unread_notifications: { notification_count: 0, highlight_count: 0 },
    };
  } else if (membership === 'leave' || membership === 'ban') {
    const existing = resp.rooms.leave[roomId];
    if (existing) existing.account_data.events.push(...events);
    else resp.rooms.leave[roomId] = { state: { events: [] }, timeline, account_data: { events } };
  }
}

/** Whether an incremental response carries nothing (then a long-poll keeps waiting). */
export function isEmptyResponse(resp: SyncResponse): boolean {
  const r = resp.rooms;
  return (
    Object.keys(r.join).length === 0 &&
    Object.keys(r.invite).length === 0 &&
    Object.keys(r.knock).length === 0 &&
    Object.keys(r.leave).length === 0 &&
    resp.account_data.events.length === 0 &&
    resp.presence.events.length === 0 &&
    resp.to_device.events.length === 0 &&
    resp.device_lists.changed.length === 0 &&
    resp.device_lists.left.length === 0
  );
}
