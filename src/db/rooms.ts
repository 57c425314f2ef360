// D1 reads of the membership index (migrations/0006_rooms.sql `room_memberships`, which the
// room Durable Objects keep through their outbox) and the forgotten rooms
// (0007_room_directory.sql `room_forgotten`).

/** The rooms in which the user's membership is `membership` (e.g. `join` for /joined_rooms). */
export async function listRoomsWithMembership(db: D1Database, userId: string, membership: string): Promise<string[]> {
  const { results } = await db
    .prepare('SELECT room_id FROM room_memberships WHERE user_id = ?1 AND membership = ?2 ORDER BY room_id')
    .bind(userId, membership)
    .all<{ room_id: string }>();
  return results.map((r) => r.room_id);
}

/** Marks the room forgotten as of the membership event at `stream` (migrations/0007 `room_forgotten`). */
export const forgetRoom = (db: D1Database, userId: string, roomId: string, stream: number, now: number) =>
  db
    .prepare(
      `INSERT INTO room_forgotten (user_id, room_id, stream, forgotten_ts) VALUES (?1, ?2, ?3, ?4)
       ON CONFLICT (user_id, room_id) DO UPDATE SET stream = excluded.stream, forgotten_ts = excluded.forgotten_ts`,
    )
    .bind(userId, roomId, stream, now)
    .run();

/** Whether the user forgot the room and has had no membership change in it since. */
export async function isForgotten(db: D1Database, userId: string, roomId: string): Promise<boolean> {
  const row = await db
    .prepare(
      `SELECT 1 AS forgotten FROM room_forgotten f
       LEFT JOIN room_memberships m ON m.user_id = f.user_id AND m.room_id = f.room_id
       WHERE f.user_id = ?1 AND f.room_id = ?2 AND (m.stream IS NULL OR m.stream <= f.stream)`,
    )
    .bind(userId, roomId)
    .first<{ forgotten: number }>();
  return row !== null;
}
