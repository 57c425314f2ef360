// Presence (presence.yaml): a user's own status, and reading the status of users one shares
// a room with.
import { Hono, type Context } from 'hono';
import * as z from 'zod';
import { MatrixError, forbidden, invalidParam } from '../../core/errors.js';
import { isValidUserId } from '../../core/ids/index.js';
import { getPresenceStatus, setPresenceStatus, type PresenceDeps } from '../../services/presence.js';
import { requireAccessToken } from '../auth.js';
import { jsonBody } from '../body.js';
import type { AppEnv } from '../context.js';
import { CS } from './rooms-params.js';

const statusBody = z.looseObject({
  presence: z.enum(['online', 'offline', 'unavailable']),
  status_msg: z.string().optional(),
});

function deps(c: Context<AppEnv>): PresenceDeps {
  const config = c.var.config;
  return { env: c.env, serverName: config.serverName, enabled: config.presenceEnabled, waitUntil: (p) => c.executionCtx.waitUntil(p) };
}

function pathUserId(c: Context<AppEnv>): string {
  const userId = c.req.param('userId') ?? '';
  if (!isValidUserId(userId)) throw invalidParam(`Invalid user ID: ${userId}`);
  return userId;
}

export const presenceRoutes = new Hono<AppEnv>()
  // PUT /_matrix/client/v3/presence/{userId}/status
  .put(`${CS}/presence/:userId/status`, requireAccessToken, async (c) => {
    const userId = pathUserId(c);
    if (userId !== c.var.auth.userId) throw forbidden('Cannot set the presence of another user');
    const body = await jsonBody(c, statusBody);
    await setPresenceStatus(deps(c), userId, body.presence, body.status_msg);
    return c.json({});
  })
  // GET /_matrix/client/v3/presence/{userId}/status
  .get(`${CS}/presence/:userId/status`, requireAccessToken, async (c) => {
    const r = await getPresenceStatus(deps(c), c.var.auth.userId, pathUserId(c));
    if (!r.ok) throw new MatrixError(r.status, r.errcode, r.error);
    return c.json(r.value);
  });
