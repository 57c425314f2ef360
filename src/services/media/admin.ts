// Media administration shaped like Synapse's admin API: quarantine (the item answers 404
// to every download and thumbnail; identical content is quarantined with it) and deletion
// (rows first, then any blob no row refers to any more, with its thumbnails).
import {
  blobInUse,
  deleteMediaRow,
  deleteUserMediaRows,
  getMedia,
  listUserMedia,
  LOCAL,
  quarantineUserMedia,
  setQuarantine,
  type MediaOrder,
  type MediaRow,
} from '../../db/media.js';
import { findUser } from '../../db/users.js';
import { deleteBlob } from './storage.js';
import type { MediaEnv } from './upload.js';

/** The row key for an `mxc://serverName/...` item: '' for our own server. */
export const originOf = (env: MediaEnv, serverName: string) => (serverName === env.config.serverName ? LOCAL : serverName);

/** Quarantines (by = admin user ID) or releases (by = null) an item; false if there is no such item. */
export async function setMediaQuarantine(env: MediaEnv, serverName: string, mediaId: string, by: string | null): Promise<boolean> {
  return (await setQuarantine(env.db, originOf(env, serverName), mediaId, by, Date.now())) > 0;
}

export async function quarantineAllUserMedia(env: MediaEnv, userId: string, by: string): Promise<number> {
  return quarantineUserMedia(env.db, userId, by, Date.now());
}

/** Deletes one local item; false if there is none. */
export async function deleteLocalMedia(env: MediaEnv, mediaId: string): Promise<boolean> {
  const deleted = await deleteMediaRow(env.db, LOCAL, mediaId);
  if (!deleted) return false;
  if (deleted.blobKey) await releaseBlobs(env, [deleted.blobKey]);
  return true;
}

/** Deletes up to `limit` of a user's oldest uploads; returns their IDs. */
export async function deleteAllUserMedia(env: MediaEnv, userId: string, limit: number): Promise<string[]> {
  const rows = await deleteUserMediaRows(env.db, userId, limit);
  await releaseBlobs(env, rows.map((r) => r.blob_key).filter((k): k is string => k !== null));
  return rows.map((r) => r.media_id);
}

async function releaseBlobs(env: MediaEnv, keys: string[]): Promise<void> {
  for (const key of new Set(keys)) {
    if (!(await blobInUse(env.db, key))) await deleteBlob(env.bucket, key);
  }
}

/** Synapse's media object in admin listings. */
export function adminMediaView(row: MediaRow) {
  return {
    media_id: row.media_id,
    media_type: row.content_type,
    media_length: row.size,
    upload_name: row.upload_name,
    created_ts: row.created_ts,
    last_access_ts: row.uploaded_ts,
    quarantined_by: row.quarantined_by,
    safe_from_quarantine: false,
    sha256: row.sha256,
  };
}

export async function listMediaOfUser(
  env: MediaEnv,
  userId: string,
  page: { from: number; limit: number; orderBy: MediaOrder; dir: 'f' | 'b' },
) {
  const { rows, total } = await listUserMedia(env.db, userId, page);
  const next = page.from + rows.length;
  return { media: rows.map(adminMediaView), total, ...(next < total ? { next_token: next } : {}) };
}

export async function mediaInfo(env: MediaEnv, serverName: string, mediaId: string) {
  const row = await getMedia(env.db, originOf(env, serverName), mediaId);
  return row ? { media_info: { ...adminMediaView(row), media_origin: serverName, user_id: row.user_id } } : undefined;
}

/** Whether a local account exists (admin endpoints answer 404 for unknown users, as Synapse does). */
export async function localUserExists(env: MediaEnv, userId: string): Promise<boolean> {
  return (await findUser(env.db, userId)) !== null;
}
