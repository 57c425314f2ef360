// Room membership (list_joined_rooms.yaml, joining.yaml, knocking.yaml, inviting.yaml,
// third_party_membership.yaml, leaving.yaml, kicking.yaml, banning.yaml). Rooms on other
// servers, and `via` / `server_name` hints, need federation: such joins answer 404
// M_NOT_FOUND until it exists.
import { Hono, type Context } from 'hono';
import * as z from 'zod';
import {
  banUser,
  forgetRoom,
  inviteUser,
  joinRoom,
  joinedRooms,
  kickUser,
  knockRoom,
  leaveRoom,
  unbanUser,
} from '../../services/rooms/membership.js';
import { inviteBy3pid, joinWithThirdPartySigned, parseThirdPartyInvite, thirdPartyDeps } from '../../services/rooms/third-party-invite.js';
import { requireAccessToken } from '../auth.js';
import { jsonBody, validate } from '../body.js';
import type { AppEnv } from '../context.js';
import { CS, isUserId, pathRoomId, pathRoomIdOrAlias, roomsDeps, unwrap } from './rooms-params.js';

const reasonBody = z.looseObject({ reason: z.string().optional() });
const joinBody = z.looseObject({
  reason: z.string().optional(),
  third_party_signed: z
    .looseObject({ sender: z.string().refine(isUserId, 'must be a user ID'), mxid: z.string().refine(isUserId, 'must be a user ID'), token: z.string(), signatures: z.looseObject({}) })
    .optional(),
});
const targetBody = z.looseObject({ user_id: z.string().refine(isUserId, 'must be a user ID'), reason: z.string().optional() });
const THIRD_PARTY_FIELDS = ['id_server', 'id_access_token', 'medium', 'address'] as const;
const inviteBody = z.looseObject({
  user_id: z.unknown().optional(),
  id_server: z.string().optional(),
  id_access_token: z.string().optional(),
  medium: z.string().optional(),
  address: z.string().optional(),
});

/** Both join routes: a plain join, or one that first exchanges a third-party invite's signed block. */
function join(c: Context<AppEnv>, roomIdOrAlias: string, body: z.output<typeof joinBody>) {
  if (body.third_party_signed) {
    const deps = thirdPartyDeps(roomsDeps(c), c.var.config);
    return joinWithThirdPartySigned(deps, c.var.auth, roomIdOrAlias, body.third_party_signed, body.reason);
  }
  return joinRoom(roomsDeps(c), c.var.auth, roomIdOrAlias, { reason: body.reason });
}

export const roomMembershipRoutes = new Hono<AppEnv>()
  // GET /_matrix/client/v3/joined_rooms
  .get(`${CS}/joined_rooms`, requireAccessToken, async (c) => c.json(await joinedRooms(roomsDeps(c), c.var.auth)))
  // POST /_matrix/client/v3/join/{roomIdOrAlias}
  .post(`${CS}/join/:roomIdOrAlias`, requireAccessToken, async (c) => {
    const target = pathRoomIdOrAlias(c);
    const body = await jsonBody(c, joinBody, { allowEmpty: true });
    return c.json(unwrap(await join(c, target, body)));
  })
  // POST /_matrix/client/v3/rooms/{roomId}/join
  .post(`${CS}/rooms/:roomId/join`, requireAccessToken, async (c) => {
    const roomId = pathRoomId(c);
    const body = await jsonBody(c, joinBody, { allowEmpty: true });
    return c.json(unwrap(await join(c, roomId, body)));
  })
  // POST /_matrix/client/v3/knock/{roomIdOrAlias}
  .post(`${CS}/knock/:roomIdOrAlias`, requireAccessToken, async (c) => {
    const target = pathRoomIdOrAlias(c);
    const body = await jsonBody(c, reasonBody, { allowEmpty: true });
    return c.json(unwrap(await knockRoom(roomsDeps(c), c.var.auth, target, body.reason)));
  })
  // POST /_matrix/client/v3/rooms/{roomId}/invite
  .post(`${CS}/rooms/:roomId/invite`, requireAccessToken, async (c) => {
    const roomId = pathRoomId(c);
    const body = await jsonBody(c, inviteBody);
    // Two forms: by user_id (inviting.yaml), or by third-party identifier through an identity
    // server (third_party_membership.yaml): a body without user_id naming any of its fields.
    if (body.user_id === undefined && THIRD_PARTY_FIELDS.some((k) => body[k] !== undefined)) {
      const invite = unwrap(parseThirdPartyInvite(body));
      return c.json(unwrap(await inviteBy3pid(thirdPartyDeps(roomsDeps(c), c.var.config), c.var.auth, roomId, invite)));
    }
    const target = validate(targetBody, body);
    return c.json(unwrap(await inviteUser(roomsDeps(c), c.var.auth, roomId, target.user_id, target.reason)));
  })
  // POST /_matrix/client/v3/rooms/{roomId}/leave
  .post(`${CS}/rooms/:roomId/leave`, requireAccessToken, async (c) => {
    const roomId = pathRoomId(c);
    const body = await jsonBody(c, reasonBody, { allowEmpty: true });
    return c.json(unwrap(await leaveRoom(roomsDeps(c), c.var.auth, roomId, body.reason)));
  })
  // POST /_matrix/client/v3/rooms/{roomId}/forget
  .post(`${CS}/rooms/:roomId/forget`, requireAccessToken, async (c) => {
    const roomId = pathRoomId(c);
    await jsonBody(c, z.looseObject({}), { allowEmpty: true });
    return c.json(unwrap(await forgetRoom(roomsDeps(c), c.var.auth, roomId)));
  })
  // POST /_matrix/client/v3/rooms/{roomId}/kick
  .post(`${CS}/rooms/:roomId/kick`, requireAccessToken, async (c) => {
    const roomId = pathRoomId(c);
    const body = await jsonBody(c, targetBody);
    return c.json(unwrap(await kickUser(roomsDeps(c), c.var.auth, roomId, body.user_id, body.reason)));
  })
  // POST /_matrix/client/v3/rooms/{roomId}/ban
  .post(`${CS}/rooms/:roomId/ban`, requireAccessToken, async (c) => {
    const roomId = pathRoomId(c);
    const body = await jsonBody(c, targetBody);
    return c.json(unwrap(await banUser(roomsDeps(c), c.var.auth, roomId, body.user_id, body.reason)));
  })
  // POST /_matrix/client/v3/rooms/{roomId}/unban
  .post(`${CS}/rooms/:roomId/unban`, requireAccessToken, async (c) => {
    const roomId = pathRoomId(c);
    const body = await jsonBody(c, targetBody);
    return c.json(unwrap(await unbanUser(roomsDeps(c), c.var.auth, roomId, body.user_id, body.reason)));
  });
