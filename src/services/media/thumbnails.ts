// Thumbnails: served from the R2 cache (one object per blob, size, method and animation
// preference), else generated in the Worker, returned, and cached after the response.
import { decodeCost, HEADER_PREFIX_BYTES, makeThumbnail, readImageHeader, type ThumbnailRequest } from '../../platform/image/index.js';

export type { ThumbnailRequest } from '../../platform/image/index.js';
import { findLocalMedia, type LookupOptions } from './download.js';
import { thumbnailPrefix } from './storage.js';
import type { MediaEnv } from './upload.js';

/** Largest dimension a client may ask for (larger requests are clamped: the original is returned sooner). */
export const MAX_THUMBNAIL_SIDE = 4096;

export type ThumbnailOutcome =
  | { ok: true; body: ReadableStream | Uint8Array; contentType: string; size: number; fileName: string }
  | { ok: false; reason: 'not_found' | 'not_yet_uploaded' | 'too_large' | 'cannot_thumbnail' | 'busy'; message: string };

const EXTENSIONS: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/gif': 'gif', 'image/webp': 'webp' };
const fileNameFor = (contentType: string) => `thumbnail.${EXTENSIONS[contentType] ?? 'bin'}`;

export async function getThumbnail(
  env: MediaEnv,
  mediaId: string,
  req: ThumbnailRequest,
  opts: LookupOptions,
): Promise<ThumbnailOutcome> {
  const found = await findLocalMedia(env, mediaId, opts);
  if (!found.ok) return { ...found, message: found.reason === 'not_found' ? 'Media not found' : 'Content has not yet been uploaded' };
  const { row } = found;
  const key = `${thumbnailPrefix(row.blob_key)}${req.width}x${req.height}-${req.method}${req.animated ? '-animated' : ''}`;
  const cached = await env.bucket.get(key);
  if (cached) {
    const contentType = cached.httpMetadata?.contentType ?? 'application/octet-stream';
    return { ok: true, body: cached.body, contentType, size: cached.size, fileName: fileNameFor(contentType) };
  }

  const maxPixels = env.config.media.maxThumbnailPixels;
  // Read the header first: an image over the pixel limit (or a huge file) is refused unread.
  const head = await env.bucket.get(row.blob_key, { range: { offset: 0, length: Math.min(row.size, HEADER_PREFIX_BYTES) } });
  if (!head) return { ok: false, reason: 'not_found', message: 'Media not found' };
  const prefix = new Uint8Array(await head.arrayBuffer());
  const header = readImageHeader(prefix);
  if (!header) return { ok: false, reason: 'cannot_thumbnail', message: 'Cannot generate thumbnails for this content type' };
  if (decodeCost(header) > maxPixels || row.size > maxPixels * 4 + HEADER_PREFIX_BYTES) {
    return { ok: false, reason: 'too_large', message: 'Content is too large to thumbnail' };
  }
  let bytes = prefix;
  if (row.size > prefix.length) {
    const whole = await env.bucket.get(row.blob_key);
    if (!whole) return { ok: false, reason: 'not_found', message: 'Media not found' };
    bytes = new Uint8Array(await whole.arrayBuffer());
  }

  const result = await makeThumbnail(bytes, req, maxPixels);
  if (!result.ok) {
    if (result.reason === 'too_large') return { ok: false, reason: 'too_large', message: 'Content is too large to thumbnail' };
    if (result.reason === 'busy') return { ok: false, reason: 'busy', message: result.message };
    return { ok: false, reason: 'cannot_thumbnail', message: `Cannot generate thumbnails for the requested content: ${result.message}` };
  }
  if (result.kind === 'original') {
    return { ok: true, body: bytes, contentType: result.contentType, size: bytes.length, fileName: fileNameFor(result.contentType) };
  }
  env.waitUntil(env.bucket.put(key, result.bytes, { httpMetadata: { contentType: result.contentType } }));
  return { ok: true, body: result.bytes, contentType: result.contentType, size: result.bytes.length, fileName: fileNameFor(result.contentType) };
}
