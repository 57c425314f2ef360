// Serving our media to other servers: GET /_matrix/federation/v1/media/download/{mediaId}
// and /thumbnail/{mediaId} answer multipart/mixed with "exactly two parts: The first part has
// a Content-Type header of application/json and describes the media's metadata ... always
// an empty object. The second part is ... the bytes of the media itself, using Content-Type
// and Content-Disposition headers as appropriate".
//
// These routes are NOT mounted yet: they need X-Matrix request authentication, which comes
// with the federation issue. The route then calls these functions after authenticating.
import type { ThumbnailRequest } from '../../platform/image/index.js';
import { randomString } from '../../platform/random.js';
import { findLocalMedia, openBlob } from './download.js';
import { contentDisposition, isInlineSafe } from './headers.js';
import { getThumbnail } from './thumbnails.js';
import type { MediaEnv } from './upload.js';

export type FederationMediaOutcome =
  | { ok: true; response: Response }
  | { ok: false; reason: 'not_found' | 'not_yet_uploaded' | 'too_large' | 'cannot_thumbnail' | 'busy'; message: string };

/** Builds the multipart/mixed body around `content` (streamed, with a known total length). */
export function multipartMediaResponse(part: {
  body: ReadableStream | Uint8Array;
  size: number;
  contentType: string;
  disposition: string;
}): Response {
  const boundary = randomString(32);
  const enc = new TextEncoder();
  const head = enc.encode(
    `--${boundary}\r\nContent-Type: application/json\r\n\r\n{}\r\n` +
      `--${boundary}\r\nContent-Type: ${part.contentType}\r\nContent-Disposition: ${part.disposition}\r\n\r\n`,
  );
  const tail = enc.encode(`\r\n--${boundary}--\r\n`);
  const total = head.length + part.size + tail.length;
  const { readable, writable } = new FixedLengthStream(total);
  const write = async () => {
    let writer = writable.getWriter();
    await writer.write(head);
    if (part.body instanceof Uint8Array) await writer.write(part.body);
    else {
      writer.releaseLock();
      await part.body.pipeTo(writable, { preventClose: true });
      writer = writable.getWriter();
    }
    await writer.write(tail);
    await writer.close();
  };
  write().catch((e) => writable.abort(e).catch(() => {}));
  return new Response(readable, {
    headers: { 'Content-Type': `multipart/mixed; boundary=${boundary}`, 'Content-Length': String(total) },
  });
}

/** The federation download response for a local media ID. */
export async function federationDownload(env: MediaEnv, mediaId: string, timeoutMs: number): Promise<FederationMediaOutcome> {
  const found = await findLocalMedia(env, mediaId, { timeoutMs, unauthenticated: false });
  if (!found.ok) return { ...found, message: found.reason === 'not_found' ? 'Media not found' : 'Content has not yet been uploaded' };
  const object = await openBlob(env, found.row);
  if (!object) return { ok: false, reason: 'not_found', message: 'Media not found' };
  const { content_type: contentType, upload_name: name } = found.row;
  return {
    ok: true,
    response: multipartMediaResponse({
      body: object.body,
      size: object.size,
      contentType,
      disposition: contentDisposition(isInlineSafe(contentType) ? 'inline' : 'attachment', name),
    }),
  };
}

/** The federation thumbnail response for a local media ID. */
export async function federationThumbnail(
  env: MediaEnv,
  mediaId: string,
  req: ThumbnailRequest,
  timeoutMs: number,
): Promise<FederationMediaOutcome> {
  const thumb = await getThumbnail(env, mediaId, req, { timeoutMs, unauthenticated: false });
  if (!thumb.ok) return thumb;
  return {
    ok: true,
    response: multipartMediaResponse({
      body: thumb.body,
      size: thumb.size,
      contentType: thumb.contentType,
      disposition: contentDisposition('inline', thumb.fileName),
    }),
  };
}
