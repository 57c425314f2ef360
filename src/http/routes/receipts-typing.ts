// Receipts (receipts.yaml), read markers (read_markers.yaml) and typing (typing.yaml).
import { Hono } from 'hono';
import * as z from 'zod';
import { MatrixError, forbidden, invalidParam } from '../../core/errors.js';
import { isAnyEventId } from '../../core/ids/index.js';
import { postReceipt, setReadMarkers, setTyping, type EphemeralResult } from '../../services/receipts.js';
import { requireAccessToken } from '../auth.js';
import { jsonBody } from '../body.js';
import type { AppEnv } from '../context.js';
import { CS, isUserId, pathEventId, pathRoomId } from './rooms-params.js';

const eventId = z.string().refine(isAnyEventId, 'must be an event ID');
const receiptBody = z.looseObject({ thread_id: z.unknown().optional() });
const markersBody = z.looseObject({
  'm.fully_read': eventId.optional(),
  'm.read': eventId.optional(),
  'm.read.private': eventId.optional(),
});
const typingBody = z.looseObject({
  typing: z.boolean(),
  timeout: z.number().int().min(0).optional(),
});

function unwrap(r: EphemeralResult): void {
  if (!r.ok) throw new MatrixError(r.status, r.errcode, r.error);
}

export const receiptTypingRoutes = new Hono<AppEnv>()
  // POST /_matrix/client/v3/rooms/{roomId}/receipt/{receiptType}/{eventId}
  .post(`${CS}/rooms/:roomId/receipt/:receiptType/:eventId`, requireAccessToken, async (c) => {
    const roomId = pathRoomId(c);
    const event = pathEventId(c);
    const body = await jsonBody(c, receiptBody, { allowEmpty: true });
    unwrap(await postReceipt(c.env, c.var.auth, roomId, c.req.param('receiptType'), event, body.thread_id));
    return c.json({});
  })
  // POST /_matrix/client/v3/rooms/{roomId}/read_markers
  .post(`${CS}/rooms/:roomId/read_markers`, requireAccessToken, async (c) => {
    const roomId = pathRoomId(c);
    const body = await jsonBody(c, markersBody);
    unwrap(
      await setReadMarkers(c.env, c.var.auth, roomId, {
        fullyRead: body['m.fully_read'],
        read: body['m.read'],
        readPrivate: body['m.read.private'],
      }),
    );
    return c.json({});
  })
  // PUT /_matrix/client/v3/rooms/{roomId}/typing/{userId}
  .put(`${CS}/rooms/:roomId/typing/:userId`, requireAccessToken, async (c) => {
    const roomId = pathRoomId(c);
    const userId = c.req.param('userId');
    if (!isUserId(userId)) throw invalidParam(`Invalid user ID: ${userId}`);
    if (userId !== c.var.auth.userId) throw forbidden('Cannot set the typing state of another user');
    const body = await jsonBody(c, typingBody);
    unwrap(await setTyping(c.env, c.var.auth, roomId, body.typing, body.timeout));
    return c.json({});
  });
