// Room creation and upgrades (create_room.yaml, room_upgrades.yaml).
import { Hono } from 'hono';
import * as z from 'zod';
import { invalidParam } from '../../core/errors.js';
import { createRoom } from '../../services/rooms/create.js';
import { upgradeRoom } from '../../services/rooms/upgrade.js';
import { requireAccessToken } from '../auth.js';
import { jsonBody } from '../body.js';
import type { AppEnv } from '../context.js';
import { CS, isUserId, pathRoomId, roomsDeps, unwrap } from './rooms-params.js';

const userId = z.string().refine(isUserId, 'must be a user ID');
const object = z.looseObject({});

const createRoomBody = z.looseObject({
  visibility: z.enum(['public', 'private']).optional(),
  room_alias_name: z.string().optional(),
  name: z.string().optional(),
  topic: z.string().optional(),
  invite: z.array(userId).optional(),
  invite_3pid: z.array(object).optional(),
  room_version: z.string().optional(),
  creation_content: object.optional(),
  initial_state: z
    .array(z.looseObject({ type: z.string(), state_key: z.string().optional(), content: object }))
    .optional(),
  preset: z.enum(['private_chat', 'public_chat', 'trusted_private_chat']).optional(),
  is_direct: z.boolean().optional(),
  power_level_content_override: object.optional(),
});

const upgradeBody = z.looseObject({
  new_version: z.string(),
  additional_creators: z.array(userId).optional(),
});

export const roomCreateRoutes = new Hono<AppEnv>()
  // POST /_matrix/client/v3/createRoom
  .post(`${CS}/createRoom`, requireAccessToken, async (c) => {
    const body = await jsonBody(c, createRoomBody);
    // Third-party invites need an identity server, which this server does not talk to.
    if (body.invite_3pid?.length) throw invalidParam('invite_3pid is not supported by this server');
    return c.json(unwrap(await createRoom(roomsDeps(c), c.var.auth, body)));
  })
  // POST /_matrix/client/v3/rooms/{roomId}/upgrade
  .post(`${CS}/rooms/:roomId/upgrade`, requireAccessToken, async (c) => {
    const roomId = pathRoomId(c);
    const body = await jsonBody(c, upgradeBody);
    return c.json(unwrap(await upgradeRoom(roomsDeps(c), c.var.auth, roomId, body.new_version, body.additional_creators)));
  });
