// The user's sync stream: one row per change that concerns the user, in arrival order. The
// row's `position` is what a sync token names; (key, kind, value) says what changed: a room's
// event stream, receipt stream or typing serial (key = room ID), the account-data position
// (key ''), a user's presence serial, a device's to-device inbox, a user's device list.
// `cursors` holds the newest value per (key, kind), so a notification that is not newer
// (a redelivery, a late retry) is dropped: receivers de-duplicate by (room, stream).
import { all, first, run, type Sql } from './sql.js';
import type { StreamKind } from '../api.js';

export interface StreamChange {
  [column: string]: SqlStorageValue;
  key: string;
  kind: string;
  value: number;
}

/**
 * The newest position, kept in memory per database once read (the object is the only
 * writer). A rolled-back append may leave it one ahead: positions then skip a number, which
 * tokens do not mind.
 */
const newest = new WeakMap<Sql, number>();

export function maxPosition(sql: Sql): number {
  let p = newest.get(sql);
  if (p === undefined) {
    p = first<{ p: number | null }>(sql, 'SELECT MAX(position) AS p FROM stream')?.p ?? 0;
    newest.set(sql, p);
  }
  return p;
}

export function cursor(sql: Sql, key: string, kind: StreamKind): number | undefined {
  return first<{ value: number }>(sql, 'SELECT value FROM cursors WHERE key = ? AND kind = ?', key, kind)?.value;
}

/** Appends a row unconditionally and returns its position. */
export function append(sql: Sql, key: string, kind: StreamKind, value: number): number {
  const position = maxPosition(sql) + 1;
  newest.set(sql, position);
  run(sql, 'INSERT INTO stream (position, key, kind, value) VALUES (?, ?, ?, ?)', position, key, kind, value);
  run(
    sql,
    `INSERT INTO cursors (key, kind, value, position) VALUES (?, ?, ?, ?)
     ON CONFLICT (key, kind) DO UPDATE SET value = MAX(value, excluded.value), position = excluded.position`,
    key,
    kind,
    value,
    position,
  );
  return position;
}

/** Appends a row if `value` is newer than what the stream holds; returns whether it did. */
export function advance(sql: Sql, key: string, kind: StreamKind, value: number): boolean {
  const held = cursor(sql, key, kind);
  // 0 is "nothing yet" (a room without receipts): only news once something was held before.
  if ((held ?? 0) >= value) return false;
  append(sql, key, kind, value);
  return true;
}

/** The value of (key, kind) as of position `at` (the latest row at or before it). */
export function valueAt(sql: Sql, key: string, kind: StreamKind, at: number): number | undefined {
  return first<{ value: number }>(
    sql,
    'SELECT value FROM stream WHERE key = ? AND kind = ? AND position <= ? ORDER BY position DESC LIMIT 1',
    key,
    kind,
    at,
  )?.value;
}

/** What changed in (after, upto], newest value per (key, kind); to-device rows are read apart. */
export function changesBetween(sql: Sql, after: number, upto: number): StreamChange[] {
  return all<StreamChange>(
    sql,
    `SELECT key, kind, MAX(value) AS value FROM stream
     WHERE position > ? AND position <= ? AND kind NOT IN ('to_device', 'to_device_sent')
     GROUP BY key, kind`,
    after,
    upto,
  );
}

/** Whether anything a device's /sync shows arrived after `after`. */
export function hasRelevantAfter(sql: Sql, after: number, deviceId: string): boolean {
  return (
    first(
      sql,
      `SELECT 1 AS x FROM stream WHERE position > ? AND kind != 'to_device_sent' AND (kind != 'to_device' OR key = ?) LIMIT 1`,
      after,
      deviceId,
    ) !== undefined
  );
}

export interface CursorRow {
  [column: string]: SqlStorageValue;
  key: string;
  kind: string;
  value: number;
}

/** Every room's cursors (kinds room, receipt, typing). */
export function roomCursors(sql: Sql): CursorRow[] {
  return all<CursorRow>(sql, "SELECT key, kind, value FROM cursors WHERE kind IN ('room', 'receipt', 'typing')");
}

// ---- the rooms the stream knows, with the user's membership in each ----------------------

export interface RoomRow {
  [column: string]: SqlStorageValue;
  room_id: string;
  membership: string | null;
  membership_stream: number;
}

export function setRoomMembership(sql: Sql, roomId: string, membership: string | null, stream: number): void {
  run(
    sql,
    `INSERT INTO rooms (room_id, membership, membership_stream) VALUES (?, ?, ?)
     ON CONFLICT (room_id) DO UPDATE SET membership = excluded.membership, membership_stream = excluded.membership_stream
     WHERE excluded.membership_stream >= rooms.membership_stream`,
    roomId,
    membership,
    stream,
  );
}

export function knownRoomRows(sql: Sql): RoomRow[] {
  return all<RoomRow>(sql, 'SELECT * FROM rooms');
}
