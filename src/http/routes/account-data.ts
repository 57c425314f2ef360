// Account data (client-server "Client Config", account-data.yaml): global and per-room
// JSON objects only their owner may read or write.
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import * as z from 'zod';
import { MatrixError, invalidParam, notFound } from '../../core/errors.js';
import { isValidRoomId } from '../../core/ids/index.js';
import { getAccountData, isServerManagedType, setAccountData } from '../../services/account-data.js';
import { assertSelf, requireAccessToken } from '../auth.js';
import { jsonBody } from '../body.js';
import type { AppEnv } from '../context.js';
import { notifyAccountData } from './sync.js';

/** Account data is not among the endpoints the Guest Access module opens to guests. */
const denyGuests: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.var.auth.isGuest) throw new MatrixError(403, 'M_GUEST_ACCESS_FORBIDDEN', 'Guests cannot use account data');
  await next();
};

/** The path's user (the caller's own) and, for per-room data, a well-formed room ID. */
function target(c: Context<AppEnv>): { userId: string; type: string; roomId?: string } {
  const userId = c.req.param('userId')!;
  assertSelf(c, userId, 'the account data');
  const roomId = c.req.param('roomId');
  // "The given `roomID` is not a valid room ID. Errcode: `M_INVALID_PARAM`."
  if (roomId !== undefined && !isValidRoomId(roomId)) throw invalidParam(`${roomId} is not a valid room ID`);
  return { userId, type: c.req.param('type')!, roomId };
}

async function get(c: Context<AppEnv>): Promise<Response> {
  const { userId, type, roomId } = target(c);
  const content = await getAccountData(c.env.DB, userId, type, roomId);
  if (!content) throw notFound(roomId === undefined ? 'Account data not found' : 'Room account data not found');
  return c.json(content);
}

async function put(c: Context<AppEnv>): Promise<Response> {
  const { userId, type, roomId } = target(c);
  // "This `type` of account data is controlled by the server; it cannot be modified by
  // clients. Errcode: `M_BAD_JSON`." (405)
  if (isServerManagedType(type)) throw new MatrixError(405, 'M_BAD_JSON', `Cannot set ${type} through this API`);
  const content = await jsonBody(c, z.looseObject({}));
  await setAccountData(c.env.DB, { userId, type, content, roomId });
  return c.json({});
}

const GLOBAL = '/_matrix/client/v3/user/:userId/account_data/:type';
const PER_ROOM = '/_matrix/client/v3/user/:userId/rooms/:roomId/account_data/:type';

export const accountDataRoutes = new Hono<AppEnv>()
  // GET /_matrix/client/v3/user/{userId}/account_data/{type}
  .get(GLOBAL, requireAccessToken, denyGuests, get)
  // PUT /_matrix/client/v3/user/{userId}/account_data/{type}
  .put(GLOBAL, requireAccessToken, denyGuests, notifyAccountData, put)
  // GET /_matrix/client/v3/user/{userId}/rooms/{roomId}/account_data/{type}
  .get(PER_ROOM, requireAccessToken, denyGuests, get)
  // PUT /_matrix/client/v3/user/{userId}/rooms/{roomId}/account_data/{type}
  .put(PER_ROOM, requireAccessToken, denyGuests, notifyAccountData, put);
