// The room's identity and a few counters, in the `meta` key/value table.
import { all, run, type Sql } from './sql.js';

export interface RoomMeta {
  roomId: string;
  roomVersion: string;
  creator: string;
  createdTs: number;
  /** The state group of the current state (after the forward extremities). */
  currentGroup: number | null;
}

export function readMeta(sql: Sql): RoomMeta | undefined {
  const map = new Map(all<{ key: string; value: string }>(sql, 'SELECT key, value FROM meta').map((r) => [r.key, r.value]));
  const roomId = map.get('room_id');
  if (roomId === undefined) return undefined;
  const group = map.get('current_group');
  return {
    roomId,
    roomVersion: map.get('room_version')!,
    creator: map.get('creator')!,
    createdTs: Number(map.get('created_ts')),
    currentGroup: group === undefined ? null : Number(group),
  };
}

export function writeMeta(sql: Sql, meta: RoomMeta): void {
  const set = (key: string, value: string) => run(sql, 'INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)', key, value);
  set('room_id', meta.roomId);
  set('room_version', meta.roomVersion);
  set('creator', meta.creator);
  set('created_ts', String(meta.createdTs));
  if (meta.currentGroup !== null) set('current_group', String(meta.currentGroup));
}

export function setCurrentGroup(sql: Sql, group: number): void {
  run(sql, "INSERT OR REPLACE INTO meta (key, value) VALUES ('current_group', ?)", String(group));
}
