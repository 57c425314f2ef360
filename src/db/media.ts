// D1 access for media metadata (migrations/0004_media.sql). Origin '' is our own media.
// De-duplication happens inside single statements: a new upload adopts the blob of any
// row with the same sha256 (and its quarantine), atomically with respect to deletions,
// so a blob is unreferenced exactly when no row names it.

export const LOCAL = '';

export interface MediaRow {
  origin: string;
  media_id: string;
  user_id: string | null;
  content_type: string | null;
  upload_name: string | null;
  size: number | null;
  sha256: string | null;
  blob_key: string | null;
  created_ts: number;
  uploaded_ts: number | null;
  unused_expires_ts: number | null;
  quarantined_by: string | null;
  quarantined_ts: number | null;
}

export interface StoredContent {
  contentType: string;
  uploadName: string | null;
  size: number;
  sha256: string;
  /** The blob this upload wrote; replaced by an existing blob with the same sha256 if there is one. */
  blobKey: string;
}

// The blob and quarantine an upload inherits from identical content already stored.
const SAME_BLOB = '(SELECT blob_key FROM media WHERE sha256 = ?5 AND blob_key IS NOT NULL LIMIT 1)';
const SAME_QUARANTINE = '(SELECT quarantined_by FROM media WHERE sha256 = ?5 AND quarantined_by IS NOT NULL LIMIT 1)';

export async function getMedia(db: D1Database, origin: string, mediaId: string): Promise<MediaRow | null> {
  return db.prepare('SELECT * FROM media WHERE origin = ?1 AND media_id = ?2').bind(origin, mediaId).first<MediaRow>();
}

/** Inserts a completed local upload; returns the blob key the row ended up with. */
export async function insertUploadedMedia(
  db: D1Database,
  m: { mediaId: string; userId: string; now: number } & StoredContent,
): Promise<string> {
  const row = await db
    .prepare(
      `INSERT INTO media (origin, media_id, user_id, content_type, upload_name, size, sha256, blob_key,
                          created_ts, uploaded_ts, quarantined_by, quarantined_ts)
       VALUES ('', ?1, ?2, ?3, ?4, ?6, ?5, COALESCE(${SAME_BLOB}, ?7), ?8, ?8, ${SAME_QUARANTINE},
               CASE WHEN ${SAME_QUARANTINE} IS NULL THEN NULL ELSE ?8 END)
       RETURNING blob_key`,
    )
    .bind(m.mediaId, m.userId, m.contentType, m.uploadName, m.sha256, m.size, m.blobKey, m.now)
    .first<{ blob_key: string }>();
  return row!.blob_key;
}

/** Reserves a local media ID for a later upload (POST /_matrix/media/v1/create). */
export async function insertPendingMedia(
  db: D1Database,
  m: { mediaId: string; userId: string; now: number; expiresTs: number },
): Promise<void> {
  await db
    .prepare(`INSERT INTO media (origin, media_id, user_id, created_ts, unused_expires_ts) VALUES ('', ?1, ?2, ?3, ?4)`)
    .bind(m.mediaId, m.userId, m.now, m.expiresTs)
    .run();
}

/** Pending (created, not uploaded, not expired) IDs of a user; expired ones are deleted on the way. */
export async function countPendingMedia(db: D1Database, userId: string, now: number): Promise<number> {
  const [, count] = await db.batch<{ n: number }>([
    db
      .prepare(`DELETE FROM media WHERE origin = '' AND user_id = ?1 AND uploaded_ts IS NULL AND unused_expires_ts <= ?2`)
      .bind(userId, now),
    db
      .prepare(`SELECT COUNT(*) AS n FROM media WHERE origin = '' AND user_id = ?1 AND uploaded_ts IS NULL`)
      .bind(userId),
  ]);
  return count!.results[0]!.n;
}

/**
 * Fills a pending ID with its content if it is still pending, unexpired and the caller's.
 * Returns the blob key used, or null when another upload won (or the ID went away).
 */
export async function completePendingMedia(
  db: D1Database,
  m: { mediaId: string; userId: string; now: number } & StoredContent,
): Promise<string | null> {
  const row = await db
    .prepare(
      `UPDATE media SET content_type = ?3, upload_name = ?4, sha256 = ?5, size = ?6,
              blob_key = COALESCE(${SAME_BLOB}, ?7), uploaded_ts = ?8,
              quarantined_by = ${SAME_QUARANTINE},
              quarantined_ts = CASE WHEN ${SAME_QUARANTINE} IS NULL THEN NULL ELSE ?8 END
       WHERE origin = '' AND media_id = ?1 AND user_id = ?2 AND uploaded_ts IS NULL AND unused_expires_ts > ?8
       RETURNING blob_key`,
    )
    .bind(m.mediaId, m.userId, m.contentType, m.uploadName, m.sha256, m.size, m.blobKey, m.now)
    .first<{ blob_key: string }>();
  return row?.blob_key ?? null;
}

/** Whether any row still refers to a blob (a blob with none can be deleted from R2). */
export async function blobInUse(db: D1Database, blobKey: string): Promise<boolean> {
  return (await db.prepare('SELECT 1 AS x FROM media WHERE blob_key = ?1 LIMIT 1').bind(blobKey).first()) !== null;
}

/** Deletes one media row; returns its blob key (if it had content), or undefined if there was no row. */
export async function deleteMediaRow(db: D1Database, origin: string, mediaId: string): Promise<{ blobKey: string | null } | undefined> {
  const row = await db
    .prepare('DELETE FROM media WHERE origin = ?1 AND media_id = ?2 RETURNING blob_key')
    .bind(origin, mediaId)
    .first<{ blob_key: string | null }>();
  return row ? { blobKey: row.blob_key } : undefined;
}

/** Deletes a user's local media rows (a page at a time); returns the deleted IDs and their blob keys. */
export async function deleteUserMediaRows(
  db: D1Database,
  userId: string,
  limit: number,
): Promise<Array<{ media_id: string; blob_key: string | null }>> {
  const { results } = await db
    .prepare(
      `DELETE FROM media WHERE origin = '' AND media_id IN
         (SELECT media_id FROM media WHERE origin = '' AND user_id = ?1 ORDER BY created_ts LIMIT ?2)
       RETURNING media_id, blob_key`,
    )
    .bind(userId, limit)
    .all<{ media_id: string; blob_key: string | null }>();
  return results;
}

/** Sets or clears quarantine on one item and every row holding identical content; returns rows changed. */
export async function setQuarantine(
  db: D1Database,
  origin: string,
  mediaId: string,
  by: string | null,
  now: number,
): Promise<number> {
  const res = await db
    .prepare(
      `UPDATE media SET quarantined_by = ?3, quarantined_ts = CASE WHEN ?3 IS NULL THEN NULL ELSE ?4 END
       WHERE (origin = ?1 AND media_id = ?2)
          OR sha256 = (SELECT sha256 FROM media WHERE origin = ?1 AND media_id = ?2 AND sha256 IS NOT NULL)`,
    )
    .bind(origin, mediaId, by, now)
    .run();
  return res.meta.changes;
}

/** Quarantines every local upload of a user, and identical content elsewhere; returns rows changed. */
export async function quarantineUserMedia(db: D1Database, userId: string, by: string, now: number): Promise<number> {
  const res = await db
    .prepare(
      `UPDATE media SET quarantined_by = ?2, quarantined_ts = ?3
       WHERE quarantined_by IS NULL AND ((origin = '' AND user_id = ?1)
          OR sha256 IN (SELECT sha256 FROM media WHERE origin = '' AND user_id = ?1 AND sha256 IS NOT NULL))`,
    )
    .bind(userId, by, now)
    .run();
  return res.meta.changes;
}

export type MediaOrder = 'created_ts' | 'media_id' | 'upload_name' | 'media_length' | 'media_type' | 'quarantined_by';

const ORDER_COLUMN: Record<MediaOrder, string> = {
  created_ts: 'created_ts',
  media_id: 'media_id',
  upload_name: 'upload_name',
  media_length: 'size',
  media_type: 'content_type',
  quarantined_by: 'quarantined_by',
};

/** A page of a user's local media (Synapse's GET /users/{userId}/media) and the total count. */
export async function listUserMedia(
  db: D1Database,
  userId: string,
  page: { from: number; limit: number; orderBy: MediaOrder; dir: 'f' | 'b' },
): Promise<{ rows: MediaRow[]; total: number }> {
  // The column comes from a fixed table, never from the request.
  const order = `${ORDER_COLUMN[page.orderBy]} ${page.dir === 'b' ? 'DESC' : 'ASC'}, media_id ASC`;
  const [rows, total] = await db.batch([
    db
      .prepare(`SELECT * FROM media WHERE origin = '' AND user_id = ?1 ORDER BY ${order} LIMIT ?2 OFFSET ?3`)
      .bind(userId, page.limit, page.from),
    db.prepare(`SELECT COUNT(*) AS n FROM media WHERE origin = '' AND user_id = ?1`).bind(userId),
  ]);
  return { rows: rows!.results as MediaRow[], total: (total!.results[0] as { n: number }).n };
}
