// Room creation and upgrades (create_room.yaml, room_upgrades.yaml).
import { Hono } from 'hono';
import * as z from 'zod';
import { createRoom } from '../../services/rooms/create.js';
import { checkIdentityServers, inviteAllBy3pid, parseThirdPartyInvite, thirdPartyDeps } from '../../services/rooms/third-party-invite.js';
import { upgradeRoom } from '../../services/rooms/upgrade.js';
import { requireAccessToken } from '../auth.js';
import { jsonBody } from '../body.js';
import type { AppEnv } from '../context.js';
import { CS, isUserId, jsonObject, pathRoomId, roomsDeps, unwrap } from './rooms-params.js';

const userId = z.string().refine(isUserId, 'must be a user ID');

const createRoomBody = z.looseObject({
  visibility: z.enum(['public', 'private']).optional(),
  room_alias_name: z.string().optional(),
  name: z.string().optional(),
  topic: z.string().optional(),
  invite: z.array(userId).optional(),
  invite_3pid: z
    .array(
      z.looseObject({
        id_server: z.string().optional(),
        id_access_token: z.string().optional(),
        medium: z.string().optional(),
        address: z.string().optional(),
      }),
    )
    .optional(),
  room_version: z.string().optional(),
  creation_content: jsonObject.optional(),
  initial_state: z
    .array(z.looseObject({ type: z.string(), state_key: z.string().optional(), content: jsonObject }))
    .optional(),
  preset: z.enum(['private_chat', 'public_chat', 'trusted_private_chat']).optional(),
  is_direct: z.boolean().optional(),
  power_level_content_override: jsonObject.optional(),
});

const upgradeBody = z.looseObject({
  new_version: z.string(),
  additional_creators: z.array(userId).optional(),
});

export const roomCreateRoutes = new Hono<AppEnv>()
  // POST /_matrix/client/v3/createRoom
  .post(`${CS}/createRoom`, requireAccessToken, async (c) => {
    const body = await jsonBody(c, createRoomBody);
    // Every invite_3pid entry (and the guard's verdict on its id_server) is checked before the
    // room exists, and sent once it does.
    const invites3pid = (body.invite_3pid ?? []).map((i) => unwrap(parseThirdPartyInvite(i)));
    const thirdParty = thirdPartyDeps(roomsDeps(c), c.var.config);
    if (invites3pid.length) unwrap(await checkIdentityServers(thirdParty, invites3pid));
    const created = unwrap(await createRoom(roomsDeps(c), c.var.auth, body));
    if (invites3pid.length) unwrap(await inviteAllBy3pid(thirdParty, c.var.auth, created.room_id, invites3pid));
    return c.json(created);
  })
  // POST /_matrix/client/v3/rooms/{roomId}/upgrade
  .post(`${CS}/rooms/:roomId/upgrade`, requireAccessToken, async (c) => {
    const roomId = pathRoomId(c);
    const body = await jsonBody(c, upgradeBody);
    return c.json(unwrap(await upgradeRoom(roomsDeps(c), c.var.auth, roomId, body.new_version, body.additional_creators)));
  });
