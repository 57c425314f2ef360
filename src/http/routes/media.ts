// The content repository (client-server "Content repository"; content-repo.yaml and
// authed-content-repo.yaml): uploads, the authenticated v1 downloads and thumbnails, and the
// deprecated unauthenticated v3 ones, "frozen" for media created after MEDIA_FREEZE_DATE.
// Remote media answers 404 until federation exists. The federation media endpoints are
// not mounted here: they need X-Matrix authentication (see services/media/federation.ts).
import { Hono, type Context } from 'hono';
import * as z from 'zod';
import { MatrixError, invalidParam, missingParam, notFound, tooLarge, unrecognized } from '../../core/errors.js';
import { isValidServerName } from '../../core/ids/index.js';
import { clampTimeout, findLocalMedia, openBlob, parseRange } from '../../services/media/download.js';
import { mediaHeaders, normaliseContentType } from '../../services/media/headers.js';
import { getThumbnail, MAX_THUMBNAIL_SIDE } from '../../services/media/thumbnails.js';
import { createMediaId, uploadMedia, uploadToMediaId, type MediaEnv, type UploadInput } from '../../services/media/upload.js';
import { enforceRateLimit } from '../../services/rate-limit.js';
import { requireAccessToken } from '../auth.js';
import type { AppEnv } from '../context.js';

export function mediaEnv(c: Context<AppEnv>): MediaEnv {
  return { db: c.env.DB, bucket: c.env.MEDIA, config: c.var.config, waitUntil: (p) => c.executionCtx.waitUntil(p) };
}

// "The media-id segment MUST consist of only alphanumeric (A-Za-z0-9), _ and - characters."
const MEDIA_ID = /^[A-Za-z0-9_-]{1,255}$/;

/**
 * The mxc:// of the path, sanitised as the spec requires ("restricting the server-name
 * segment to valid server names", "allowing only alphanumeric, _ and - in the media-id").
 * Nothing can exist under an invalid one, so it is 404 like any unknown media.
 */
function pathMxc(c: Context<AppEnv>): { serverName: string; mediaId: string; local: boolean } {
  const serverName = c.req.param('serverName')!;
  const mediaId = c.req.param('mediaId')!;
  if (!isValidServerName(serverName) || !MEDIA_ID.test(mediaId)) throw notFound('Media not found');
  return { serverName, mediaId, local: serverName === c.var.config.serverName };
}

const remoteNotFound = () => notFound('Remote media is not available: this server does not federate yet');
const notYetUploaded = () => new MatrixError(504, 'M_NOT_YET_UPLOADED', 'Content has not yet been uploaded');

/** Guests may download (guest access module) but not upload. */
function uploader(c: Context<AppEnv>): string {
  if (c.var.auth.isGuest) throw new MatrixError(403, 'M_GUEST_ACCESS_FORBIDDEN', 'Guests cannot upload media');
  return c.var.auth.userId;
}

/** The request body and what the client said about it (`Content-Type`, `?filename=`). */
function uploadInput(c: Context<AppEnv>): UploadInput {
  const length = c.req.header('Content-Length');
  const declaredLength = length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined;
  const max = c.var.config.media.maxUploadBytes;
  if (declaredLength !== undefined && declaredLength > max) throw tooLarge(`Cannot upload files larger than ${max} bytes`);
  return {
    body: c.req.raw.body,
    declaredLength,
    contentType: normaliseContentType(c.req.header('Content-Type')),
    uploadName: c.req.query('filename') || null,
  };
}

function storeFailure(c: Context<AppEnv>, reason: 'too_large' | 'incomplete'): MatrixError {
  return reason === 'too_large'
    ? tooLarge(`Cannot upload files larger than ${c.var.config.media.maxUploadBytes} bytes`)
    : new MatrixError(400, 'M_UNKNOWN', 'The upload ended before its declared length');
}

const rateLimitUploads = (c: Context<AppEnv>, userId: string) =>
  enforceRateLimit(c.env, 'media_upload', userId, c.var.config.rateLimits.mediaUpload);

/** GET .../download/{serverName}/{mediaId}[/{fileName}], authenticated (v1) or not (v3, frozen). */
async function download(c: Context<AppEnv>, unauthenticated: boolean): Promise<Response> {
  const { mediaId, local } = pathMxc(c);
  if (!local) throw remoteNotFound();
  const found = await findLocalMedia(mediaEnv(c), mediaId, { timeoutMs: clampTimeout(c.req.query('timeout_ms')), unauthenticated });
  if (!found.ok) throw found.reason === 'not_found' ? notFound('Media not found') : notYetUploaded();
  const { row } = found;
  const range = parseRange(c.req.header('Range'), row.size);
  if (range === 'unsatisfiable') {
    return new Response(null, { status: 416, headers: { 'Content-Range': `bytes */${row.size}` } });
  }
  const object = await openBlob(mediaEnv(c), row, range);
  if (!object) throw notFound('Media not found');
  // "If the upload was made with a filename, this header MUST contain the same filename";
  // the /{fileName} variant "MUST contain the file name requested in the path".
  const fileName = c.req.param('fileName') ?? row.upload_name;
  const headers = mediaHeaders({ contentType: row.content_type, fileName, size: range ? range.length : row.size });
  headers.set('Accept-Ranges', 'bytes');
  if (!range) return new Response(object.body, { status: 200, headers });
  headers.set('Content-Range', `bytes ${range.offset}-${range.offset + range.length - 1}/${row.size}`);
  return new Response(object.body, { status: 206, headers });
}

const dimension = z.coerce.number<string>().int().min(1);
const thumbnailQuery = z.object({
  width: dimension,
  height: dimension,
  method: z.enum(['crop', 'scale']).default('scale'),
  animated: z.enum(['true', 'false']).optional(),
});

/** GET .../thumbnail/{serverName}/{mediaId}, authenticated (v1) or not (v3, frozen). */
async function thumbnail(c: Context<AppEnv>, unauthenticated: boolean): Promise<Response> {
  const { mediaId, local } = pathMxc(c);
  const query = c.req.query();
  if (query.width === undefined || query.height === undefined) throw missingParam('width and height are required');
  const parsed = thumbnailQuery.safeParse(query);
  if (!parsed.success) {
    throw invalidParam(`Invalid thumbnail parameter '${parsed.error.issues[0]!.path.join('.')}': ${parsed.error.issues[0]!.message}`);
  }
  if (!local) throw remoteNotFound();
  const q = parsed.data;
  const req = {
    width: Math.min(q.width, MAX_THUMBNAIL_SIDE),
    height: Math.min(q.height, MAX_THUMBNAIL_SIDE),
    method: q.method,
    animated: q.animated === 'true',
  };
  const out = await getThumbnail(mediaEnv(c), mediaId, req, { timeoutMs: clampTimeout(query.timeout_ms), unauthenticated });
  if (!out.ok) {
    switch (out.reason) {
      case 'not_found':
        throw notFound(out.message);
      case 'not_yet_uploaded':
        throw notYetUploaded();
      case 'too_large':
        throw tooLarge(out.message);
      case 'busy':
        throw new MatrixError(429, 'M_LIMIT_EXCEEDED', out.message, { retry_after_ms: 1000 });
      default:
        // "The request does not make sense to the server, or the server cannot thumbnail the content."
        throw new MatrixError(400, 'M_UNKNOWN', out.message);
    }
  }
  // Thumbnails: Content-Disposition "MUST be inline, and SHOULD contain a file name".
  const headers = mediaHeaders({ contentType: out.contentType, fileName: out.fileName, size: out.size, forceInline: true });
  return new Response(out.body, { status: 200, headers });
}

const mediaConfig = (c: Context<AppEnv>) => c.json({ 'm.upload.size': c.var.config.media.maxUploadBytes });

/** URL previews need SSRF-safe fetching, which comes later. */
const noPreviews = () => {
  throw unrecognized(404, 'URL previews are not supported by this server');
};

export const mediaRoutes = new Hono<AppEnv>()
  // POST /_matrix/media/v3/upload
  .post('/_matrix/media/v3/upload', requireAccessToken, async (c) => {
    const userId = uploader(c);
    const input = uploadInput(c);
    await rateLimitUploads(c, userId);
    const out = await uploadMedia(mediaEnv(c), userId, input);
    if (!out.ok) throw storeFailure(c, out.reason);
    return c.json({ content_uri: out.contentUri });
  })
  // POST /_matrix/media/v1/create
  .post('/_matrix/media/v1/create', requireAccessToken, async (c) => {
    const userId = uploader(c);
    await rateLimitUploads(c, userId);
    const out = await createMediaId(mediaEnv(c), userId);
    // "limit the number of concurrent pending media uploads ... respond with 429 M_LIMIT_EXCEEDED".
    if (!out.ok) throw new MatrixError(429, 'M_LIMIT_EXCEEDED', 'Too many pending uploads', { retry_after_ms: 60_000 });
    return c.json({ content_uri: out.contentUri, unused_expires_at: out.unusedExpiresAt });
  })
  // PUT /_matrix/media/v3/upload/{serverName}/{mediaId}
  .put('/_matrix/media/v3/upload/:serverName/:mediaId', requireAccessToken, async (c) => {
    const userId = uploader(c);
    const { mediaId, local } = pathMxc(c);
    if (!local) throw notFound('Unknown media ID');
    const input = uploadInput(c);
    const out = await uploadToMediaId(mediaEnv(c), userId, mediaId, input);
    if (out.ok) return c.json({});
    switch (out.reason) {
      case 'not_found':
        throw notFound('Unknown media ID');
      case 'forbidden':
        throw new MatrixError(403, 'M_FORBIDDEN', 'This media ID was created by another user');
      case 'already_uploaded':
        throw new MatrixError(409, 'M_CANNOT_OVERWRITE_MEDIA', 'Media already uploaded');
      default:
        throw storeFailure(c, out.reason);
    }
  })
  // GET /_matrix/client/v1/media/config
  .get('/_matrix/client/v1/media/config', requireAccessToken, mediaConfig)
  // GET /_matrix/media/v3/config
  .get('/_matrix/media/v3/config', requireAccessToken, mediaConfig)
  // GET /_matrix/client/v1/media/download/{serverName}/{mediaId}
  .get('/_matrix/client/v1/media/download/:serverName/:mediaId', requireAccessToken, (c) => download(c, false))
  // GET /_matrix/client/v1/media/download/{serverName}/{mediaId}/{fileName}
  .get('/_matrix/client/v1/media/download/:serverName/:mediaId/:fileName', requireAccessToken, (c) => download(c, false))
  // GET /_matrix/client/v1/media/thumbnail/{serverName}/{mediaId}
  .get('/_matrix/client/v1/media/thumbnail/:serverName/:mediaId', requireAccessToken, (c) => thumbnail(c, false))
  // GET /_matrix/client/v1/media/preview_url
  .get('/_matrix/client/v1/media/preview_url', requireAccessToken, noPreviews)
  // GET /_matrix/media/v3/preview_url
  .get('/_matrix/media/v3/preview_url', requireAccessToken, noPreviews)
  // GET /_matrix/media/v3/download/{serverName}/{mediaId} (deprecated, unauthenticated, frozen)
  .get('/_matrix/media/v3/download/:serverName/:mediaId', (c) => download(c, true))
  // GET /_matrix/media/v3/download/{serverName}/{mediaId}/{fileName} (deprecated, unauthenticated, frozen)
  .get('/_matrix/media/v3/download/:serverName/:mediaId/:fileName', (c) => download(c, true))
  // GET /_matrix/media/v3/thumbnail/{serverName}/{mediaId} (deprecated, unauthenticated, frozen)
  .get('/_matrix/media/v3/thumbnail/:serverName/:mediaId', (c) => thumbnail(c, true));
