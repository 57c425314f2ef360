// D1 writes to the membership index (migrations/0006_rooms.sql `room_memberships`), made only
// by the Room objects' outbox delivery. Services read it through src/db/rooms.ts.

export interface MembershipChange {
  userId: string;
  roomId: string;
  membership: string;
  eventId: string;
  stream: number;
}

/**
 * Applies membership changes idempotently and in any order: a row is only replaced by a
 * change with a higher room stream, so a redelivered or late change is a no-op.
 */
export async function applyMembershipChanges(db: D1Database, changes: MembershipChange[], now: number): Promise<void> {
  if (changes.length === 0) return;
  const stmt = db.prepare(
    `INSERT INTO room_memberships (user_id, room_id, membership, event_id, stream, updated_ts)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6)
     ON CONFLICT (user_id, room_id) DO UPDATE SET
       membership = excluded.membership, event_id = excluded.event_id,
       stream = excluded.stream, updated_ts = excluded.updated_ts
     WHERE excluded.stream > room_memberships.stream`,
  );
  await db.batch(changes.map((c) => stmt.bind(c.userId, c.roomId, c.membership, c.eventId, c.stream, now)));
}
