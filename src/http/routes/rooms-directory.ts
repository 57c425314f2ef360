// Room aliases and the published room directory (directory.yaml, list_public_rooms.yaml).
// Alias lookups, visibility reads and the GET directory listing need no access token (the
// yaml gives them no `security`).
import { Hono } from 'hono';
import * as z from 'zod';
import { invalidParam } from '../../core/errors.js';
import { isValidRoomId } from '../../core/ids/index.js';
import {
  deleteAlias,
  getAlias,
  getLocalAliases,
  getVisibility,
  listPublicRooms,
  setAlias,
  setVisibility,
} from '../../services/rooms/directory.js';
import { requireAccessToken } from '../auth.js';
import { jsonBody } from '../body.js';
import type { AppEnv } from '../context.js';
import { CS, pathRoomAlias, pathRoomId, queryInt, roomsDeps, unwrap } from './rooms-params.js';

const publicRoomsBody = z.looseObject({
  limit: z.number().int().min(0).optional(),
  since: z.string().optional(),
  filter: z
    .looseObject({
      generic_search_term: z.string().optional(),
      room_types: z.array(z.string().nullable()).optional(),
    })
    .optional(),
  include_all_networks: z.boolean().optional(),
  third_party_instance_id: z.string().optional(),
});

export const roomDirectoryRoutes = new Hono<AppEnv>()
  // GET /_matrix/client/v3/directory/room/{roomAlias}
  .get(`${CS}/directory/room/:roomAlias`, async (c) => c.json(unwrap(await getAlias(roomsDeps(c), pathRoomAlias(c)))))
  // PUT /_matrix/client/v3/directory/room/{roomAlias}
  .put(`${CS}/directory/room/:roomAlias`, requireAccessToken, async (c) => {
    const alias = pathRoomAlias(c);
    const body = await jsonBody(c, z.looseObject({ room_id: z.string() }));
    if (!isValidRoomId(body.room_id)) throw invalidParam(`Invalid room ID: ${body.room_id}`);
    return c.json(unwrap(await setAlias(roomsDeps(c), c.var.auth, alias, body.room_id)));
  })
  // DELETE /_matrix/client/v3/directory/room/{roomAlias}
  .delete(`${CS}/directory/room/:roomAlias`, requireAccessToken, async (c) =>
    c.json(unwrap(await deleteAlias(roomsDeps(c), c.var.auth, pathRoomAlias(c)))),
  )
  // GET /_matrix/client/v3/rooms/{roomId}/aliases
  .get(`${CS}/rooms/:roomId/aliases`, requireAccessToken, async (c) =>
    c.json(unwrap(await getLocalAliases(roomsDeps(c), c.var.auth, pathRoomId(c)))),
  )
  // GET /_matrix/client/v3/directory/list/room/{roomId}
  .get(`${CS}/directory/list/room/:roomId`, async (c) => c.json(unwrap(await getVisibility(roomsDeps(c), pathRoomId(c)))))
  // PUT /_matrix/client/v3/directory/list/room/{roomId}
  .put(`${CS}/directory/list/room/:roomId`, requireAccessToken, async (c) => {
    const roomId = pathRoomId(c);
    // "The new visibility setting for the room. Defaults to `public`."
    const body = await jsonBody(c, z.looseObject({ visibility: z.enum(['public', 'private']).optional() }), { allowEmpty: true });
    return c.json(unwrap(await setVisibility(roomsDeps(c), c.var.auth, roomId, body.visibility ?? 'public')));
  })
  // GET /_matrix/client/v3/publicRooms
  .get(`${CS}/publicRooms`, async (c) => {
    const req = { limit: queryInt(c, 'limit', 0, 500), since: c.req.query('since') || undefined, server: c.req.query('server') || undefined };
    return c.json(unwrap(await listPublicRooms(roomsDeps(c), req)));
  })
  // POST /_matrix/client/v3/publicRooms
  .post(`${CS}/publicRooms`, requireAccessToken, async (c) => {
    const body = await jsonBody(c, publicRoomsBody, { allowEmpty: true });
    const req = { limit: body.limit, since: body.since, server: c.req.query('server') || undefined, filter: body.filter };
    return c.json(unwrap(await listPublicRooms(roomsDeps(c), req)));
  });
