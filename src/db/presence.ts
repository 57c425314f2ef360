// D1 access for presence (migrations/0008_sync.sql `presence`) and the "who shares a room
// with whom" question it is published by (the membership index `room_memberships`).

export interface PresenceRow {
  user_id: string;
  state: string;
  status_msg: string | null;
  last_active_ts: number;
  last_seen_ts: number;
  serial: number;
}

export async function findPresence(db: D1Database, userId: string): Promise<PresenceRow | null> {
  return db.prepare('SELECT * FROM presence WHERE user_id = ?1').bind(userId).first<PresenceRow>();
}

export async function upsertPresence(db: D1Database, row: PresenceRow): Promise<void> {
  await db
    .prepare(
      `INSERT INTO presence (user_id, state, status_msg, last_active_ts, last_seen_ts, serial) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
       ON CONFLICT (user_id) DO UPDATE SET state = excluded.state, status_msg = excluded.status_msg,
         last_active_ts = excluded.last_active_ts, last_seen_ts = excluded.last_seen_ts, serial = excluded.serial`,
    )
    .bind(row.user_id, row.state, row.status_msg, row.last_active_ts, row.last_seen_ts, row.serial)
    .run();
}

/** Everyone joined to a room the user is joined to (the user included). */
const CO_MEMBERS = `SELECT DISTINCT m2.user_id FROM room_memberships m1
  JOIN room_memberships m2 ON m2.room_id = m1.room_id AND m2.membership = 'join'
  WHERE m1.user_id = ?1 AND m1.membership = 'join'`;

export async function listCoMembers(db: D1Database, userId: string): Promise<string[]> {
  const { results } = await db.prepare(CO_MEMBERS).bind(userId).all<{ user_id: string }>();
  return results.map((r) => r.user_id);
}

export async function sharesRoom(db: D1Database, a: string, b: string): Promise<boolean> {
  const row = await db
    .prepare(
      `SELECT 1 AS x FROM room_memberships m1 JOIN room_memberships m2 ON m2.room_id = m1.room_id AND m2.user_id = ?2 AND m2.membership = 'join'
       WHERE m1.user_id = ?1 AND m1.membership = 'join' LIMIT 1`,
    )
    .bind(a, b)
    .first();
  return row !== null;
}

/** Presence rows of the given users. */
export async function presenceOf(db: D1Database, userIds: readonly string[]): Promise<PresenceRow[]> {
  if (userIds.length === 0) return [];
  const { results } = await db
    .prepare('SELECT * FROM presence WHERE user_id IN (SELECT value FROM json_each(?1))')
    .bind(JSON.stringify(userIds))
    .all<PresenceRow>();
  return results;
}

/** Presence rows of everyone who shares a room with the user (and the user's own). */
export async function presenceOfCoMembers(db: D1Database, userId: string): Promise<PresenceRow[]> {
  const { results } = await db
    .prepare(`SELECT p.* FROM presence p WHERE p.user_id IN (${CO_MEMBERS}) OR p.user_id = ?1`)
    .bind(userId)
    .all<PresenceRow>();
  return results;
}
