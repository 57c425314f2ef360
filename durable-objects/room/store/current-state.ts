// The hot read tables: `current_state` (the state after the forward extremities) and
// `members` (each user's current membership with the profile fields of their member event).
import { all, first, run, type Sql } from './sql.js';

export interface MemberRow {
  [column: string]: SqlStorageValue;
  user_id: string;
  membership: string;
  event_id: string;
  stream: number;
  displayname: string | null;
  avatar_url: string | null;
}

export function currentStateEventId(sql: Sql, type: string, key: string): string | undefined {
  return first<{ event_id: string }>(sql, 'SELECT event_id FROM current_state WHERE type = ? AND state_key = ?', type, key)
    ?.event_id;
}

export function currentStateSize(sql: Sql): number {
  return first<{ n: number }>(sql, 'SELECT COUNT(*) AS n FROM current_state')!.n;
}

export function setCurrentState(sql: Sql, type: string, key: string, eventId: string | null): void {
  if (eventId === null) run(sql, 'DELETE FROM current_state WHERE type = ? AND state_key = ?', type, key);
  else run(sql, 'INSERT OR REPLACE INTO current_state (type, state_key, event_id) VALUES (?, ?, ?)', type, key, eventId);
}

/** Every current state entry, streamed from a cursor (for resolution diffs). */
export function* currentStateEntries(sql: Sql): Generator<[string, string, string]> {
  yield* sql.exec('SELECT type, state_key, event_id FROM current_state').raw<[string, string, string]>();
}

export function setMember(
  sql: Sql,
  userId: string,
  m: { membership: string; eventId: string; stream: number; displayname: unknown; avatarUrl: unknown },
): void {
  run(
    sql,
    `INSERT OR REPLACE INTO members (user_id, membership, event_id, stream, displayname, avatar_url) VALUES (?, ?, ?, ?, ?, ?)`,
    userId,
    m.membership,
    m.eventId,
    m.stream,
    typeof m.displayname === 'string' ? m.displayname : null,
    typeof m.avatarUrl === 'string' ? m.avatarUrl : null,
  );
}

export function deleteMember(sql: Sql, userId: string): void {
  run(sql, 'DELETE FROM members WHERE user_id = ?', userId);
}

export function memberRow(sql: Sql, userId: string): MemberRow | undefined {
  return first<MemberRow>(sql, 'SELECT * FROM members WHERE user_id = ?', userId);
}

export function countMembers(sql: Sql, membership: string): number {
  return first<{ n: number }>(sql, 'SELECT COUNT(*) AS n FROM members WHERE membership = ?', membership)!.n;
}

/** A page of members by user ID; `membership`/`notMembership` filter as /members does. */
export function pageMembers(
  sql: Sql,
  opts: { after?: string | undefined; membership?: string | undefined; notMembership?: string | undefined; limit: number },
): MemberRow[] {
  const where: string[] = ['user_id > ?'];
  const args: unknown[] = [opts.after ?? ''];
  if (opts.membership !== undefined) {
    where.push('membership = ?');
    args.push(opts.membership);
  }
  if (opts.notMembership !== undefined) {
    where.push('membership != ?');
    args.push(opts.notMembership);
  }
  if (opts.after === undefined) where[0] = 'user_id >= ?';
  return all<MemberRow>(sql, `SELECT * FROM members WHERE ${where.join(' AND ')} ORDER BY user_id LIMIT ?`, ...args, opts.limit);
}
