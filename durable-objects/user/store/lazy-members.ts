// The lazy-loading redundancy cache: which member event each device was sent for each room,
// and at which position. Only entries at or before a request's `since` count as held by the
// client (it synced past the response that carried them), so a retried request never
// loses a member event.
import { all, run, type Sql } from './sql.js';

/** Entries returned per room at most (the most recent); older ones are simply sent again. */
const KNOWN_LIMIT = 500;

export function knownMembers(sql: Sql, deviceId: string, roomId: string, since: number): Record<string, string> {
  const rows = all<{ user_id: string; event_id: string }>(
    sql,
    'SELECT user_id, event_id FROM lazy_members WHERE device_id = ? AND room_id = ? AND position <= ? ORDER BY position DESC LIMIT ?',
    deviceId,
    roomId,
    since,
    KNOWN_LIMIT,
  );
  return Object.fromEntries(rows.map((r) => [r.user_id, r.event_id]));
}

export function recordMembers(sql: Sql, deviceId: string, position: number, rooms: Record<string, Record<string, string>>): void {
  for (const [roomId, members] of Object.entries(rooms)) {
    for (const [userId, eventId] of Object.entries(members)) {
      run(
        sql,
        `INSERT INTO lazy_members (device_id, room_id, user_id, event_id, position) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (device_id, room_id, user_id) DO UPDATE SET event_id = excluded.event_id, position = excluded.position`,
        deviceId,
        roomId,
        userId,
        eventId,
        position,
      );
    }
  }
}
