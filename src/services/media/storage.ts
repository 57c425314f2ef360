// Media bytes in R2. An upload streams from the request into R2 through a meter that hashes
// (SHA-256) and counts it, aborting as soon as the size limit is passed: the body is never
// buffered whole. R2 needs each stream's length up front, so a body with a Content-Length
// goes through a FixedLengthStream in one put; a body without one (chunked) goes up as a
// multipart upload in fixed-size parts, holding at most one part in memory.
import { randomString } from '../../platform/random.js';

/** R2 requires every part but the last to be the same size, and at least 5 MiB. */
const PART_BYTES = 8 * 1024 * 1024;

export type StoreOutcome =
  | { ok: true; blobKey: string; size: number; sha256: string }
  | { ok: false; reason: 'too_large' | 'incomplete' };

/** A fresh, unguessable R2 key for one stored copy of some content. */
export const newBlobKey = () => `blob/${randomString(32)}`;

/** Where the thumbnails of a blob live, one object per size and method. */
export const thumbnailPrefix = (blobKey: string) => `thumb/${blobKey}/`;

class TooLarge extends Error {}

/** Streams `body` into R2 under a new key, refusing it past `maxBytes`. */
export async function storeUpload(
  bucket: R2Bucket,
  body: ReadableStream<Uint8Array> | null,
  opts: { declaredLength: number | undefined; maxBytes: number; contentType: string },
): Promise<StoreOutcome> {
  const { declaredLength, maxBytes } = opts;
  if (declaredLength !== undefined && declaredLength > maxBytes) return { ok: false, reason: 'too_large' };
  const blobKey = newBlobKey();
  const httpMetadata = { contentType: opts.contentType };
  const digest = new crypto.DigestStream('SHA-256');
  const digestWriter = digest.getWriter();
  // Rejects if the upload is abandoned; only awaited on success.
  const digested = digest.digest;
  digested.catch(() => {});
  let size = 0;
  const meter = new TransformStream<Uint8Array, Uint8Array>({
    async transform(chunk, controller) {
      size += chunk.byteLength;
      if (size > maxBytes) throw new TooLarge();
      await digestWriter.write(chunk);
      controller.enqueue(chunk);
    },
    async flush() {
      await digestWriter.close();
    },
  });
  const source = (body ?? new Blob([]).stream()).pipeThrough(meter);
  try {
    if (declaredLength !== undefined) {
      await bucket.put(blobKey, source.pipeThrough(new FixedLengthStream(declaredLength)), { httpMetadata });
    } else {
      await putUnknownLength(bucket, blobKey, source, httpMetadata);
    }
  } catch (e) {
    digestWriter.abort().catch(() => {});
    if (size > maxBytes || e instanceof TooLarge) return { ok: false, reason: 'too_large' };
    return { ok: false, reason: 'incomplete' };
  }
  const sha256 = [...new Uint8Array(await digested)].map((b) => b.toString(16).padStart(2, '0')).join('');
  return { ok: true, blobKey, size, sha256 };
}

async function putUnknownLength(
  bucket: R2Bucket,
  key: string,
  source: ReadableStream<Uint8Array>,
  httpMetadata: R2HTTPMetadata,
): Promise<void> {
  const reader = source.getReader();
  const part = new Uint8Array(PART_BYTES);
  let fill = 0;
  let upload: R2MultipartUpload | undefined;
  const parts: R2UploadedPart[] = [];
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      for (let i = 0; i < value.byteLength; ) {
        const n = Math.min(PART_BYTES - fill, value.byteLength - i);
        part.set(value.subarray(i, i + n), fill);
        fill += n;
        i += n;
        if (fill === PART_BYTES) {
          upload ??= await bucket.createMultipartUpload(key, { httpMetadata });
          parts.push(await upload.uploadPart(parts.length + 1, part));
          fill = 0;
        }
      }
    }
    if (!upload) {
      await bucket.put(key, part.subarray(0, fill), { httpMetadata });
      return;
    }
    if (fill > 0) parts.push(await upload.uploadPart(parts.length + 1, part.subarray(0, fill)));
    await upload.complete(parts);
  } catch (e) {
    reader.cancel().catch(() => {});
    await upload?.abort().catch(() => {});
    throw e;
  }
}

/** Deletes a blob and its cached thumbnails. */
export async function deleteBlob(bucket: R2Bucket, blobKey: string): Promise<void> {
  const prefix = thumbnailPrefix(blobKey);
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix, cursor });
    if (page.objects.length > 0) await bucket.delete(page.objects.map((o) => o.key));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  await bucket.delete(blobKey);
}
