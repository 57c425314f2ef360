// Room history (message_pagination.yaml, event_context.yaml, rooms.yaml /event,
// room_event_by_timestamp.yaml). History visibility is applied by the room object for the
// requesting user.
import { Hono } from 'hono';
import { missingParam } from '../../core/errors.js';
import { getContext, getEvent, getMessages, parseFilterParam, timestampToEvent } from '../../services/rooms/history.js';
import { requireAccessToken } from '../auth.js';
import type { AppEnv } from '../context.js';
import { CS, pathEventId, pathRoomId, queryEnum, queryInt, roomsDeps, unwrap } from './rooms-params.js';

const DIRS = ['b', 'f'] as const;

export const roomHistoryRoutes = new Hono<AppEnv>()
  // GET /_matrix/client/v3/rooms/{roomId}/messages
  .get(`${CS}/rooms/:roomId/messages`, requireAccessToken, async (c) => {
    const roomId = pathRoomId(c);
    const query = {
      from: c.req.query('from') || undefined,
      to: c.req.query('to') || undefined,
      // `dir` is required since v1.3; older clients that omit it get forwards, as Synapse gives.
      dir: queryEnum(c, 'dir', DIRS) ?? 'f',
      limit: queryInt(c, 'limit', 0, 1000),
      filter: unwrap(parseFilterParam(c.req.query('filter'))),
    };
    return c.json(unwrap(await getMessages(roomsDeps(c), c.var.auth, roomId, query)));
  })
  // GET /_matrix/client/v3/rooms/{roomId}/context/{eventId}
  .get(`${CS}/rooms/:roomId/context/:eventId`, requireAccessToken, async (c) => {
    const roomId = pathRoomId(c);
    const eventId = pathEventId(c);
    const query = { limit: queryInt(c, 'limit', 0, 100), filter: unwrap(parseFilterParam(c.req.query('filter'))) };
    return c.json(unwrap(await getContext(roomsDeps(c), c.var.auth, roomId, eventId, query)));
  })
  // GET /_matrix/client/v3/rooms/{roomId}/event/{eventId}
  .get(`${CS}/rooms/:roomId/event/:eventId`, requireAccessToken, async (c) => {
    const roomId = pathRoomId(c);
    const eventId = pathEventId(c);
    return c.json(unwrap(await getEvent(roomsDeps(c), c.var.auth, roomId, eventId)));
  })
  // GET /_matrix/client/v1/rooms/{roomId}/timestamp_to_event
  .get('/_matrix/client/v1/rooms/:roomId/timestamp_to_event', requireAccessToken, async (c) => {
    const roomId = pathRoomId(c);
    const ts = queryInt(c, 'ts', 0, Number.MAX_SAFE_INTEGER);
    if (ts === undefined) throw missingParam('Missing ts');
    const dir = queryEnum(c, 'dir', DIRS);
    if (dir === undefined) throw missingParam('Missing dir');
    return c.json(unwrap(await timestampToEvent(roomsDeps(c), c.var.auth, roomId, ts, dir)));
  });
