// D1 reads for /sync and the User objects' catch-up: a user's rows of the membership index
// (migrations/0006_rooms.sql `room_memberships`), their forgotten rooms (0007
// `room_forgotten`) and their newest account-data position (0005 `account_data`).

export interface MembershipIndexRow {
  room_id: string;
  membership: string;
  stream: number;
}

/** Every room the index has the user in, with any membership. */
export async function listMemberships(db: D1Database, userId: string): Promise<MembershipIndexRow[]> {
  const { results } = await db
    .prepare('SELECT room_id, membership, stream FROM room_memberships WHERE user_id = ?1')
    .bind(userId)
    .all<MembershipIndexRow>();
  return results;
}

/** The user's membership in each of `roomIds` the index knows. */
export async function membershipsIn(db: D1Database, userId: string, roomIds: readonly string[]): Promise<Map<string, string>> {
  if (roomIds.length === 0) return new Map();
  const { results } = await db
    .prepare('SELECT room_id, membership FROM room_memberships WHERE user_id = ?1 AND room_id IN (SELECT value FROM json_each(?2))')
    .bind(userId, JSON.stringify(roomIds))
    .all<{ room_id: string; membership: string }>();
  return new Map(results.map((r) => [r.room_id, r.membership]));
}

/** Rooms the user forgot and has had no membership change in since (as `isForgotten`). */
export async function listForgotten(db: D1Database, userId: string): Promise<Set<string>> {
  const { results } = await db
    .prepare(
      `SELECT f.room_id FROM room_forgotten f
       LEFT JOIN room_memberships m ON m.user_id = f.user_id AND m.room_id = f.room_id
       WHERE f.user_id = ?1 AND (m.stream IS NULL OR m.stream <= f.stream)`,
    )
    .bind(userId)
    .all<{ room_id: string }>();
  return new Set(results.map((r) => r.room_id));
}

/** The newest account-data position written for the user (0 if none). */
export async function maxAccountDataStream(db: D1Database, userId: string): Promise<number> {
  const row = await db.prepare('SELECT MAX(stream_id) AS s FROM account_data WHERE user_id = ?1').bind(userId).first<{ s: number | null }>();
  return row?.s ?? 0;
}
