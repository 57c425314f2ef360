// Sending events and reading state (room_send.yaml, room_state.yaml, redaction.yaml, the
// state and member reads of rooms.yaml). The state paths' `stateKey` "Defaults to the empty
// string. When an empty string, the trailing slash on this endpoint is optional."
import { Hono, type Context } from 'hono';
import { stream } from 'hono/streaming';
import * as z from 'zod';
import { getJoinedMembers, getMembers } from '../../services/rooms/membership.js';
import { getAllState, getState, redactEvent, sendMessage, setState } from '../../services/rooms/send.js';
import { requireAccessToken } from '../auth.js';
import { jsonBody } from '../body.js';
import type { AppEnv } from '../context.js';
import { CS, jsonObject, pathEventId, pathRoomId, queryEnum, roomsDeps, unwrap } from './rooms-params.js';

const MEMBERSHIPS = ['join', 'invite', 'knock', 'leave', 'ban'] as const;

async function putState(c: Context<AppEnv>, stateKey: string) {
  const roomId = pathRoomId(c);
  const body = await jsonBody(c, jsonObject);
  return c.json(unwrap(await setState(roomsDeps(c), c.var.auth, roomId, c.req.param('eventType')!, stateKey, body)));
}

async function readState(c: Context<AppEnv>, stateKey: string) {
  const roomId = pathRoomId(c);
  const format = queryEnum(c, 'format', ['content', 'event'] as const) ?? 'content';
  return c.json(unwrap(await getState(roomsDeps(c), c.var.auth, roomId, c.req.param('eventType')!, stateKey, format)));
}

export const roomStateRoutes = new Hono<AppEnv>()
  // PUT /_matrix/client/v3/rooms/{roomId}/send/{eventType}/{txnId}
  .put(`${CS}/rooms/:roomId/send/:eventType/:txnId`, requireAccessToken, async (c) => {
    const roomId = pathRoomId(c);
    const body = await jsonBody(c, jsonObject);
    const { eventType, txnId } = c.req.param();
    return c.json(unwrap(await sendMessage(roomsDeps(c), c.var.auth, roomId, eventType, txnId, body)));
  })
  // PUT /_matrix/client/v3/rooms/{roomId}/redact/{eventId}/{txnId}
  .put(`${CS}/rooms/:roomId/redact/:eventId/:txnId`, requireAccessToken, async (c) => {
    const roomId = pathRoomId(c);
    const eventId = pathEventId(c);
    const body = await jsonBody(c, z.looseObject({ reason: z.string().optional() }), { allowEmpty: true });
    return c.json(unwrap(await redactEvent(roomsDeps(c), c.var.auth, roomId, eventId, c.req.param('txnId'), body.reason)));
  })
  // PUT /_matrix/client/v3/rooms/{roomId}/state/{eventType}/{stateKey}
  .put(`${CS}/rooms/:roomId/state/:eventType/:stateKey`, requireAccessToken, (c) => putState(c, c.req.param('stateKey')))
  .put(`${CS}/rooms/:roomId/state/:eventType/`, requireAccessToken, (c) => putState(c, ''))
  .put(`${CS}/rooms/:roomId/state/:eventType`, requireAccessToken, (c) => putState(c, ''))
  // GET /_matrix/client/v3/rooms/{roomId}/state/{eventType}/{stateKey}
  .get(`${CS}/rooms/:roomId/state/:eventType/:stateKey`, requireAccessToken, (c) => readState(c, c.req.param('stateKey')))
  .get(`${CS}/rooms/:roomId/state/:eventType/`, requireAccessToken, (c) => readState(c, ''))
  .get(`${CS}/rooms/:roomId/state/:eventType`, requireAccessToken, (c) => readState(c, ''))
  // GET /_matrix/client/v3/rooms/{roomId}/state
  .get(`${CS}/rooms/:roomId/state`, requireAccessToken, async (c) => {
    const roomId = pathRoomId(c);
    const pages = getAllState(roomsDeps(c), c.var.auth, roomId);
    // The first page decides the status (403 for outsiders); the rest is streamed, so a room
    // with tens of thousands of state events never sits in memory as one array.
    const first = await pages.next();
    const firstPage = unwrap(first.value!);
    c.header('Content-Type', 'application/json');
    return stream(c, async (s) => {
      let sep = '[';
      const write = async (events: unknown[]) => {
        for (const ev of events) {
          await s.write(sep + JSON.stringify(ev));
          sep = ',';
        }
      };
      await write(firstPage);
      for await (const page of pages) {
        if (!page.ok) break; // the room changed under us: end the list with what we have
        await write(page.value);
      }
      await s.write(sep === '[' ? '[]' : ']');
    });
  })
  // GET /_matrix/client/v3/rooms/{roomId}/members
  .get(`${CS}/rooms/:roomId/members`, requireAccessToken, async (c) => {
    const roomId = pathRoomId(c);
    const query = {
      at: c.req.query('at') || undefined,
      membership: queryEnum(c, 'membership', MEMBERSHIPS),
      notMembership: queryEnum(c, 'not_membership', MEMBERSHIPS),
    };
    return c.json(unwrap(await getMembers(roomsDeps(c), c.var.auth, roomId, query)));
  })
  // GET /_matrix/client/v3/rooms/{roomId}/joined_members
  .get(`${CS}/rooms/:roomId/joined_members`, requireAccessToken, async (c) =>
    c.json(unwrap(await getJoinedMembers(roomsDeps(c), c.var.auth, pathRoomId(c)))),
  );
