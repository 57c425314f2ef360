// Reading a room's history (client-server "Getting events for a room": message_pagination,
// event_context, rooms.yaml /event, room_event_by_timestamp). The room object pages its
// timeline and applies history visibility for the requesting user; this adds the filter
// parsing and the rule that a forgotten room's history is gone for that user.
import type {
  ClientEvent,
  GetContextResult,
  GetMessagesResult,
  TimestampToEventResult,
} from '../../../durable-objects/room/api.js';
import { type RoomEventFilter, parseRoomEventFilter } from '../../core/filters.js';
import { MAX_JSON_DEPTH, exceedsJsonDepth } from '../../core/json/depth.js';
import { type Requester, type Result, type RoomsDeps, fail, fromRoom, ok, roomStub } from './common.js';
import { hasForgotten } from './membership.js';

type Ok<R> = Omit<Extract<R, { ok: true }>, 'ok'>;

/** A `filter` query parameter: "A JSON RoomEventFilter to filter returned events with." */
export function parseFilterParam(param: string | undefined): Result<RoomEventFilter | undefined> {
  if (param === undefined || param === '') return ok(undefined);
  let value: unknown;
  try {
    value = JSON.parse(param);
  } catch {
    return fail(400, 'M_INVALID_PARAM', 'filter is not valid JSON');
  }
  // Unknown keys are kept and travel to the room object, which could not be sent them.
  if (exceedsJsonDepth(value)) return fail(400, 'M_INVALID_PARAM', `filter is nested more than ${MAX_JSON_DEPTH} levels deep`);
  const parsed = parseRoomEventFilter(value);
  if (!parsed.ok) return fail(400, 'M_INVALID_PARAM', `Invalid filter field '${parsed.field}': ${parsed.reason}`);
  return ok(parsed.filter);
}

async function forgotten(deps: RoomsDeps, requester: Requester, roomId: string) {
  return (await hasForgotten(deps, requester.userId, roomId))
    ? fail(403, 'M_FORBIDDEN', 'You have forgotten this room')
    : undefined;
}

export interface MessagesQuery {
  from?: string;
  to?: string;
  dir: 'b' | 'f';
  limit?: number;
  filter?: RoomEventFilter;
}

// GET /rooms/{roomId}/messages
export async function getMessages(
  deps: RoomsDeps,
  requester: Requester,
  roomId: string,
  q: MessagesQuery,
): Promise<Result<Ok<GetMessagesResult>>> {
  const refused = await forgotten(deps, requester, roomId);
  if (refused) return refused;
  const r = await roomStub(deps.env, roomId).getMessages({ asUser: requester.userId, deviceId: requester.deviceId, tokenHash: requester.tokenHash, ...q });
  if (!r.ok) return fromRoom(r);
  const { ok: _, ...body } = r;
  return ok(body);
}

// GET /rooms/{roomId}/context/{eventId}
export async function getContext(
  deps: RoomsDeps,
  requester: Requester,
  roomId: string,
  eventId: string,
  q: { limit?: number; filter?: RoomEventFilter },
): Promise<Result<Ok<GetContextResult>>> {
  const refused = await forgotten(deps, requester, roomId);
  if (refused) return refused;
  const r = await roomStub(deps.env, roomId).getContext({ asUser: requester.userId, deviceId: requester.deviceId, tokenHash: requester.tokenHash, eventId, ...q });
  if (!r.ok) return fromRoom(r);
  const { ok: _, ...body } = r;
  return ok(body);
}

// GET /rooms/{roomId}/event/{eventId}
export async function getEvent(deps: RoomsDeps, requester: Requester, roomId: string, eventId: string): Promise<Result<ClientEvent>> {
  // "404: The event was not found or you do not have permission to read this event."
  if (await hasForgotten(deps, requester.userId, roomId)) return fail(404, 'M_NOT_FOUND', 'Event not found.');
  const r = await roomStub(deps.env, roomId).getEvent({ asUser: requester.userId, deviceId: requester.deviceId, tokenHash: requester.tokenHash, eventId });
  if (!r.ok) return r.errcode === 'M_FORBIDDEN' ? fail(404, 'M_NOT_FOUND', 'Event not found.') : fromRoom(r);
  return ok(r.event);
}

// GET /_matrix/client/v1/rooms/{roomId}/timestamp_to_event
export async function timestampToEvent(
  deps: RoomsDeps,
  requester: Requester,
  roomId: string,
  ts: number,
  dir: 'b' | 'f',
): Promise<Result<Ok<TimestampToEventResult>>> {
  const refused = await forgotten(deps, requester, roomId);
  if (refused) return refused;
  const r = await roomStub(deps.env, roomId).timestampToEvent({ asUser: requester.userId, ts, dir });
  if (!r.ok) return fromRoom(r);
  return ok({ event_id: r.event_id, origin_server_ts: r.origin_server_ts });
}
