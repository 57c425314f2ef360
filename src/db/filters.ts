// D1 access for uploaded filters (migrations/0005_account_data_filters.sql). IDs count from
// 0 per user; the next one is taken inside the INSERT itself, so concurrent uploads by the
// same user cannot collide.

export async function findFilter(db: D1Database, userId: string, filterId: number): Promise<string | null> {
  const row = await db
    .prepare('SELECT filter_json FROM filters WHERE user_id = ?1 AND filter_id = ?2')
    .bind(userId, filterId)
    .first<{ filter_json: string }>();
  return row?.filter_json ?? null;
}

/** The ID of an identical filter this user already uploaded, if any. */
export async function findFilterIdByJson(db: D1Database, userId: string, filterJson: string): Promise<number | null> {
  const row = await db
    .prepare('SELECT filter_id FROM filters WHERE user_id = ?1 AND filter_json = ?2 ORDER BY filter_id LIMIT 1')
    .bind(userId, filterJson)
    .first<{ filter_id: number }>();
  return row?.filter_id ?? null;
}

export async function insertFilter(db: D1Database, userId: string, filterJson: string): Promise<number> {
  const row = await db
    .prepare(
      `INSERT INTO filters (user_id, filter_id, filter_json)
       VALUES (?1, (SELECT COALESCE(MAX(filter_id) + 1, 0) FROM filters WHERE user_id = ?1), ?2)
       RETURNING filter_id`,
    )
    .bind(userId, filterJson)
    .first<{ filter_id: number }>();
  return row!.filter_id;
}
