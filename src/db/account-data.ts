// D1 access for account data (migrations/0005_account_data_filters.sql). Global entries
// have room_id ''. Every write takes the next stream position from the one counter row, in
// the same transaction (a D1 batch), so /sync can ask for "everything after position N".

export interface AccountDataRow {
  room_id: string;
  type: string;
  content: string;
  stream_id: number;
}

export const GLOBAL_ROOM = '';

export async function findAccountData(db: D1Database, userId: string, roomId: string, type: string): Promise<string | null> {
  const row = await db
    .prepare('SELECT content FROM account_data WHERE user_id = ?1 AND room_id = ?2 AND type = ?3')
    .bind(userId, roomId, type)
    .first<{ content: string }>();
  return row?.content ?? null;
}

/** Stores (or replaces) one entry and returns the stream position it was written at. */
export async function upsertAccountData(
  db: D1Database,
  e: { userId: string; roomId: string; type: string; contentJson: string },
): Promise<number> {
  const [, written] = await db.batch<{ stream_id: number }>([
    db.prepare('UPDATE account_data_stream_position SET position = position + 1 WHERE id = 1'),
    db
      .prepare(
        `INSERT INTO account_data (user_id, room_id, type, content, stream_id)
         VALUES (?1, ?2, ?3, ?4, (SELECT position FROM account_data_stream_position WHERE id = 1))
         ON CONFLICT (user_id, room_id, type) DO UPDATE SET content = excluded.content, stream_id = excluded.stream_id
         RETURNING stream_id`,
      )
      .bind(e.userId, e.roomId, e.type, e.contentJson),
  ]);
  return written!.results[0]!.stream_id;
}

/** The last stream position handed out (0 before any write). */
export async function currentAccountDataPosition(db: D1Database): Promise<number> {
  const row = await db
    .prepare('SELECT position FROM account_data_stream_position WHERE id = 1')
    .first<{ position: number }>();
  return row?.position ?? 0;
}

/** A user's entries written after `since`, oldest first (for /sync; page with `limit`). */
export async function listAccountDataSince(
  db: D1Database,
  userId: string,
  since: number,
  limit: number,
): Promise<AccountDataRow[]> {
  const { results } = await db
    .prepare(
      `SELECT room_id, type, content, stream_id FROM account_data
       WHERE user_id = ?1 AND stream_id > ?2 ORDER BY stream_id LIMIT ?3`,
    )
    .bind(userId, since, limit)
    .all<AccountDataRow>();
  return results;
}
