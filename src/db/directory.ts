// D1 access for room aliases, directory visibility and the published-directory summaries
// (migrations/0006_rooms.sql `room_aliases`, `room_directory`; 0007_room_directory.sql
// `room_summaries`).
import type { RoomSummaryFields } from '../core/room-summary.js';

export interface AliasRow {
  alias: string;
  room_id: string;
  creator: string;
  created_ts: number;
}

export const findAlias = (db: D1Database, alias: string) =>
  db.prepare('SELECT * FROM room_aliases WHERE alias = ?1').bind(alias).first<AliasRow>();

/** Maps an alias unless it is taken; returns false if it was. */
export async function insertAlias(db: D1Database, a: { alias: string; roomId: string; creator: string; now: number }): Promise<boolean> {
  const res = await db
    .prepare('INSERT INTO room_aliases (alias, room_id, creator, created_ts) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING')
    .bind(a.alias, a.roomId, a.creator, a.now)
    .run();
  return res.meta.changes === 1;
}

export async function deleteAlias(db: D1Database, alias: string): Promise<boolean> {
  const res = await db.prepare('DELETE FROM room_aliases WHERE alias = ?1').bind(alias).run();
  return res.meta.changes === 1;
}

export async function listAliases(db: D1Database, roomId: string): Promise<string[]> {
  const { results } = await db
    .prepare('SELECT alias FROM room_aliases WHERE room_id = ?1 ORDER BY created_ts, alias')
    .bind(roomId)
    .all<{ alias: string }>();
  return results.map((r) => r.alias);
}

/** Points every alias of one room at another (room upgrades: "Moves any local aliases to the new room"). */
export const moveAliases = (db: D1Database, fromRoomId: string, toRoomId: string) =>
  db.prepare('UPDATE room_aliases SET room_id = ?2 WHERE room_id = ?1').bind(fromRoomId, toRoomId).run();

export type Visibility = 'public' | 'private';

export async function findVisibility(db: D1Database, roomId: string): Promise<Visibility | null> {
  const row = await db.prepare('SELECT visibility FROM room_directory WHERE room_id = ?1').bind(roomId).first<{ visibility: Visibility }>();
  return row?.visibility ?? null;
}

export const setVisibility = (db: D1Database, roomId: string, visibility: Visibility) =>
  db
    .prepare(
      `INSERT INTO room_directory (room_id, visibility) VALUES (?1, ?2)
       ON CONFLICT (room_id) DO UPDATE SET visibility = excluded.visibility`,
    )
    .bind(roomId, visibility)
    .run();

/** The summary columns of `room_summaries`, as core computes them from the room's state. */
export type RoomSummary = RoomSummaryFields;

/**
 * Stores a room's summary as of the room's stream position `stream`; an existing summary of a
 * later position is kept (the room object's outbox and the services both write, in any order).
 */
export const upsertSummary = (db: D1Database, roomId: string, s: RoomSummary, now: number, stream: number) =>
  db
    .prepare(
      `INSERT INTO room_summaries (room_id, name, topic, canonical_alias, avatar_url, join_rule, history_visibility,
         guest_access, room_type, updated_ts, stream)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
       ON CONFLICT (room_id) DO UPDATE SET name = excluded.name, topic = excluded.topic,
         canonical_alias = excluded.canonical_alias, avatar_url = excluded.avatar_url, join_rule = excluded.join_rule,
         history_visibility = excluded.history_visibility, guest_access = excluded.guest_access,
         room_type = excluded.room_type, updated_ts = excluded.updated_ts, stream = excluded.stream
       WHERE excluded.stream >= room_summaries.stream`,
    )
    .bind(roomId, s.name, s.topic, s.canonical_alias, s.avatar_url, s.join_rule, s.history_visibility, s.guest_access, s.room_type, now, stream)
    .run();

export interface PublicRoomRow extends RoomSummary {
  room_id: string;
  num_joined_members: number;
}

export interface PublicRoomsQuery {
  /** Case-insensitive substring of the name, topic, canonical alias or room ID. */
  searchTerm?: string;
  /** Room types to keep; `null` stands for rooms without a type. Undefined: all. */
  roomTypes?: readonly (string | null)[];
  offset: number;
  limit: number;
}

function publicRoomsWhere(q: PublicRoomsQuery): { sql: string; binds: unknown[] } {
  const clauses = [`d.visibility = 'public'`];
  const binds: unknown[] = [];
  if (q.searchTerm) {
    binds.push(`%${q.searchTerm.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    const p = `?${binds.length}`;
    clauses.push(
      `(lower(s.name) LIKE ${p} ESCAPE '\\' OR lower(s.topic) LIKE ${p} ESCAPE '\\'
        OR lower(s.canonical_alias) LIKE ${p} ESCAPE '\\' OR lower(d.room_id) LIKE ${p} ESCAPE '\\')`,
    );
  }
  if (q.roomTypes) {
    const named = q.roomTypes.filter((t): t is string => t !== null);
    const parts: string[] = [];
    if (q.roomTypes.includes(null)) parts.push('s.room_type IS NULL');
    // One bound JSON array, not one variable per type: D1 allows 100 variables per query.
    if (named.length > 0) parts.push(`s.room_type IN (SELECT value FROM json_each(?${binds.push(JSON.stringify(named))}))`);
    clauses.push(parts.length > 0 ? `(${parts.join(' OR ')})` : '0');
  }
  return { sql: clauses.join(' AND '), binds };
}

/**
 * One page of the published directory, largest rooms first ("Continuing to order by
 * largest first or another stable order is recommended"), then by room ID for stability,
 * and the total count of matching rooms.
 */
export async function queryPublicRooms(db: D1Database, q: PublicRoomsQuery): Promise<{ rows: PublicRoomRow[]; total: number }> {
  const where = publicRoomsWhere(q);
  const from = `FROM room_directory d LEFT JOIN room_summaries s ON s.room_id = d.room_id WHERE ${where.sql}`;
  const n = where.binds.length;
  const [page, count] = await db.batch<PublicRoomRow & { total: number }>([
    db
      .prepare(
        `SELECT d.room_id, s.name, s.topic, s.canonical_alias, s.avatar_url, s.join_rule, s.history_visibility,
           s.guest_access, s.room_type,
           (SELECT COUNT(*) FROM room_memberships m WHERE m.room_id = d.room_id AND m.membership = 'join') AS num_joined_members
         ${from}
         ORDER BY num_joined_members DESC, d.room_id
         LIMIT ?${n + 1} OFFSET ?${n + 2}`,
      )
      .bind(...where.binds, q.limit, q.offset),
    db.prepare(`SELECT COUNT(*) AS total ${from}`).bind(...where.binds),
  ]);
  return { rows: page!.results, total: count!.results[0]?.total ?? 0 };
}
