// PUT /_matrix/federation/v1/3pid/onbind (server-server third_party_invite.yaml): an identity
// server tells this homeserver that one of its users bound a third-party identifier, with the
// invites waiting for it. Auth scheme: none ("The request MUST be signed with a long-term
// private key for the identity server" covers each invite's `signed` block, which the room's
// auth rules verify against the m.room.third_party_invite's public keys).
import { Hono } from 'hono';
import * as z from 'zod';
import { isValidRoomId } from '../../core/ids/index.js';
import { onBind, thirdPartyDeps } from '../../services/rooms/third-party-invite.js';
import { jsonBody } from '../body.js';
import type { AppEnv } from '../context.js';
import { isUserId, roomsDeps, unwrap } from './rooms-params.js';

const userId = z.string().refine(isUserId, 'must be a user ID');

const onBindBody = z.looseObject({
  medium: z.string(),
  address: z.string(),
  mxid: userId,
  // One address's pending invites; the cap bounds the work an unauthenticated request causes.
  invites: z.array(
    z.looseObject({
      medium: z.string(),
      address: z.string(),
      mxid: userId,
      room_id: z.string().refine(isValidRoomId, 'must be a room ID'),
      sender: userId,
      signed: z.looseObject({ mxid: z.string(), token: z.string(), signatures: z.looseObject({}) }),
    }),
  ).max(100),
});

export const thirdPartyOnBindRoutes = new Hono<AppEnv>()
  // PUT /_matrix/federation/v1/3pid/onbind (POST too: Sydent and Synapse use POST)
  .on(['PUT', 'POST'], '/_matrix/federation/v1/3pid/onbind', async (c) => {
    const body = await jsonBody(c, onBindBody);
    return c.json(unwrap(await onBind(thirdPartyDeps(roomsDeps(c), c.var.config), body.invites)));
  });
