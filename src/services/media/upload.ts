// Uploads: POST /_matrix/media/v3/upload, and the asynchronous pair POST /_matrix/media/v1/create
// + PUT /_matrix/media/v3/upload/{serverName}/{mediaId}. Bytes stream to R2 first; the D1 row
// that makes them visible is written last, adopting an existing blob of identical content
// (the new copy is then deleted).
import type { Config } from '../../config.js';
import { completePendingMedia, countPendingMedia, getMedia, insertPendingMedia, insertUploadedMedia, LOCAL } from '../../db/media.js';
import { randomString } from '../../platform/random.js';
import { deleteBlob, storeUpload } from './storage.js';

/** "The recommended default expiration is 24 hours". */
export const UNUSED_MEDIA_LIFETIME_MS = 24 * 3600 * 1000;
/** "the server should limit the number of concurrent pending media uploads a given user can have". */
export const MAX_PENDING_UPLOADS = 50;

export interface MediaEnv {
  db: D1Database;
  bucket: R2Bucket;
  config: Config;
  waitUntil: (p: Promise<unknown>) => void;
}

export interface UploadInput {
  body: ReadableStream<Uint8Array> | null;
  declaredLength: number | undefined;
  contentType: string;
  uploadName: string | null;
}

/** Media IDs: 24 alphanumerics (~143 bits), within the spec's `[A-Za-z0-9_-]`. */
export const newMediaId = () => randomString(24);

export const mxcUri = (serverName: string, mediaId: string) => `mxc://${serverName}/${mediaId}`;

/** Streams an upload to R2 within the configured size limit. */
const storeInput = (env: MediaEnv, input: UploadInput) =>
  storeUpload(env.bucket, input.body, { declaredLength: input.declaredLength, maxBytes: env.config.media.maxUploadBytes, contentType: input.contentType });

/** The D1 row that makes a stored upload visible under `mediaId`. */
const uploadedRow = (mediaId: string, userId: string, input: UploadInput, stored: { size: number; sha256: string; blobKey: string }) => ({
  mediaId,
  userId,
  now: Date.now(),
  contentType: input.contentType,
  uploadName: input.uploadName,
  size: stored.size,
  sha256: stored.sha256,
  blobKey: stored.blobKey,
});

export type UploadOutcome = { ok: true; contentUri: string } | { ok: false; reason: 'too_large' | 'incomplete' };

export async function uploadMedia(env: MediaEnv, userId: string, input: UploadInput): Promise<UploadOutcome> {
  const stored = await storeInput(env, input);
  if (!stored.ok) return stored;
  const mediaId = newMediaId();
  const blobKey = await insertUploadedMedia(env.db, uploadedRow(mediaId, userId, input, stored));
  if (blobKey !== stored.blobKey) env.waitUntil(deleteBlob(env.bucket, stored.blobKey));
  return { ok: true, contentUri: mxcUri(env.config.serverName, mediaId) };
}

export type CreateOutcome = { ok: true; contentUri: string; unusedExpiresAt: number } | { ok: false; reason: 'too_many_pending' };

export async function createMediaId(env: MediaEnv, userId: string): Promise<CreateOutcome> {
  const now = Date.now();
  if ((await countPendingMedia(env.db, userId, now)) >= MAX_PENDING_UPLOADS) return { ok: false, reason: 'too_many_pending' };
  const mediaId = newMediaId();
  const expiresTs = now + UNUSED_MEDIA_LIFETIME_MS;
  await insertPendingMedia(env.db, { mediaId, userId, now, expiresTs });
  return { ok: true, contentUri: mxcUri(env.config.serverName, mediaId), unusedExpiresAt: expiresTs };
}

export type UploadToIdOutcome =
  | { ok: true }
  | { ok: false; reason: 'not_found' | 'forbidden' | 'already_uploaded' | 'too_large' | 'incomplete' };

/** PUT /_matrix/media/v3/upload/{serverName}/{mediaId} for a local ID. */
export async function uploadToMediaId(env: MediaEnv, userId: string, mediaId: string, input: UploadInput): Promise<UploadToIdOutcome> {
  const check = await pendingState(env.db, userId, mediaId, Date.now());
  if (check !== 'ok') return { ok: false, reason: check };
  const stored = await storeInput(env, input);
  if (!stored.ok) return stored;
  const blobKey = await completePendingMedia(env.db, uploadedRow(mediaId, userId, input, stored));
  if (blobKey !== stored.blobKey) env.waitUntil(deleteBlob(env.bucket, stored.blobKey));
  if (blobKey !== null) return { ok: true };
  // Lost a race with another upload to the same ID, or it expired meanwhile.
  const after = await pendingState(env.db, userId, mediaId, Date.now());
  return { ok: false, reason: after === 'ok' ? 'not_found' : after };
}

async function pendingState(
  db: D1Database,
  userId: string,
  mediaId: string,
  now: number,
): Promise<'ok' | 'not_found' | 'forbidden' | 'already_uploaded'> {
  const row = await getMedia(db, LOCAL, mediaId);
  // "The MXC ID was not created with POST /_matrix/media/v1/create" or "has expired".
  if (!row) return 'not_found';
  if (row.user_id !== userId) return 'forbidden';
  if (row.uploaded_ts !== null) return 'already_uploaded';
  if (row.unused_expires_ts !== null && row.unused_expires_ts <= now) return 'not_found';
  return 'ok';
}
