// Media administration with Synapse's admin API shapes (docs/admin_api/media_admin_api.md
// and user_admin_api.md), so Synapse admin tools work: quarantine, deletion and listing.
// Every route needs an admin's access token.
import { Hono, type Context } from 'hono';
import * as z from 'zod';
import { MatrixError, invalidParam, notFound } from '../../core/errors.js';
import { isValidServerName, isValidUserId, serverNameOf } from '../../core/ids/index.js';
import {
  deleteAllUserMedia,
  deleteLocalMedia,
  listMediaOfUser,
  localUserExists,
  mediaInfo,
  quarantineAllUserMedia,
  setMediaQuarantine,
} from '../../services/media/admin.js';
import { requireAccessToken, requireAdmin } from '../auth.js';
import type { AppEnv } from '../context.js';
import { mediaEnv } from './media.js';

const V1 = '/_synapse/admin/v1';

function pathMedia(c: Context<AppEnv>): { serverName: string; mediaId: string } {
  const serverName = c.req.param('serverName')!;
  const mediaId = c.req.param('mediaId')!;
  if (!isValidServerName(serverName) || !/^[A-Za-z0-9_-]+$/.test(mediaId)) throw notFound('Media not found');
  return { serverName, mediaId };
}

/** A local user's ID from the path: 400 if it is not local ("Can only look up local users"), 404 if unknown. */
async function pathLocalUser(c: Context<AppEnv>): Promise<string> {
  const userId = c.req.param('userId')!;
  if (!isValidUserId(userId)) throw invalidParam(`Invalid user ID: ${userId}`);
  if (serverNameOf(userId) !== c.var.config.serverName) throw invalidParam('Can only look up local users');
  if (!(await localUserExists(mediaEnv(c), userId))) throw notFound('Unknown user');
  return userId;
}

const count = (max: number) => z.coerce.number<string>().int().min(0).max(max);
const listQuery = z.object({
  from: count(Number.MAX_SAFE_INTEGER).default(0),
  limit: count(1000).default(100),
  order_by: z.enum(['created_ts', 'media_id', 'upload_name', 'media_length', 'media_type', 'quarantined_by']).default('created_ts'),
  dir: z.enum(['f', 'b']).default('f'),
});

function query<S extends z.ZodType>(c: Context<AppEnv>, schema: S): z.output<S> {
  const parsed = schema.safeParse(c.req.query());
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw invalidParam(`Invalid query parameter '${issue.path.join('.')}': ${issue.message}`);
  }
  return parsed.data;
}

export const mediaAdminRoutes = new Hono<AppEnv>()
  // POST /_synapse/admin/v1/media/quarantine/{serverName}/{mediaId}
  .post(`${V1}/media/quarantine/:serverName/:mediaId`, requireAccessToken, requireAdmin, async (c) => {
    const { serverName, mediaId } = pathMedia(c);
    await setMediaQuarantine(mediaEnv(c), serverName, mediaId, c.var.auth.userId);
    return c.json({});
  })
  // POST /_synapse/admin/v1/media/unquarantine/{serverName}/{mediaId}
  .post(`${V1}/media/unquarantine/:serverName/:mediaId`, requireAccessToken, requireAdmin, async (c) => {
    const { serverName, mediaId } = pathMedia(c);
    await setMediaQuarantine(mediaEnv(c), serverName, mediaId, null);
    return c.json({});
  })
  // POST /_synapse/admin/v1/user/{userId}/media/quarantine
  .post(`${V1}/user/:userId/media/quarantine`, requireAccessToken, requireAdmin, async (c) => {
    const userId = await pathLocalUser(c);
    return c.json({ num_quarantined: await quarantineAllUserMedia(mediaEnv(c), userId, c.var.auth.userId) });
  })
  // GET /_synapse/admin/v1/media/{serverName}/{mediaId}
  .get(`${V1}/media/:serverName/:mediaId`, requireAccessToken, requireAdmin, async (c) => {
    const { serverName, mediaId } = pathMedia(c);
    const info = await mediaInfo(mediaEnv(c), serverName, mediaId);
    if (!info) throw notFound('Media not found');
    return c.json(info);
  })
  // DELETE /_synapse/admin/v1/media/{serverName}/{mediaId}
  .delete(`${V1}/media/:serverName/:mediaId`, requireAccessToken, requireAdmin, async (c) => {
    const { serverName, mediaId } = pathMedia(c);
    if (serverName !== c.var.config.serverName) throw new MatrixError(400, 'M_INVALID_PARAM', 'Can only delete local media');
    if (!(await deleteLocalMedia(mediaEnv(c), mediaId))) throw notFound('Media not found');
    return c.json({ deleted_media: [mediaId], total: 1 });
  })
  // GET /_synapse/admin/v1/users/{userId}/media
  .get(`${V1}/users/:userId/media`, requireAccessToken, requireAdmin, async (c) => {
    const userId = await pathLocalUser(c);
    const q = query(c, listQuery);
    return c.json(await listMediaOfUser(mediaEnv(c), userId, { from: q.from, limit: q.limit, orderBy: q.order_by, dir: q.dir }));
  })
  // DELETE /_synapse/admin/v1/users/{userId}/media
  .delete(`${V1}/users/:userId/media`, requireAccessToken, requireAdmin, async (c) => {
    const userId = await pathLocalUser(c);
    const q = query(c, listQuery.pick({ limit: true }));
    const deleted = await deleteAllUserMedia(mediaEnv(c), userId, q.limit);
    return c.json({ deleted_media: deleted, total: deleted.length });
  });
