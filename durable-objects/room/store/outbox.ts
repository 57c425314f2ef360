// The transactional outbox: rows written in the same SQLite transaction as the event that
// causes them, deleted once their receiver has acknowledged them. Receivers de-duplicate by
// (room, stream). Kinds: 'membership' (the D1 membership index), 'summary' (the room's
// published-directory summary in D1), 'user' (a User object's notification) and, with
// federation, 'destination' rows.
import { all, jsonList, run, first, type Sql } from './sql.js';

export type OutboxKind = 'membership' | 'summary' | 'user' | 'destination';

export interface OutboxRow {
  [column: string]: SqlStorageValue;
  id: number;
  kind: string;
  target: string;
  stream: number;
  payload: string;
  attempts: number;
  next_attempt_ts: number;
}

export function enqueue(sql: Sql, kind: OutboxKind, target: string, stream: number, payload: unknown): void {
  run(sql, 'INSERT INTO outbox (kind, target, stream, payload) VALUES (?, ?, ?, ?)', kind, target, stream, JSON.stringify(payload));
}

export function dueRows(sql: Sql, kind: OutboxKind, now: number, limit: number): OutboxRow[] {
  return all<OutboxRow>(sql, 'SELECT * FROM outbox WHERE kind = ? AND next_attempt_ts <= ? ORDER BY id LIMIT ?', kind, now, limit);
}

export function acknowledge(sql: Sql, ids: readonly number[]): void {
  run(sql, 'DELETE FROM outbox WHERE id IN (SELECT value FROM json_each(?))', jsonList(ids));
}

export function retryLater(sql: Sql, ids: readonly number[], now: number): void {
  // Exponential backoff from 1 s, capped at 10 minutes.
  run(
    sql,
    `UPDATE outbox SET attempts = attempts + 1,
       next_attempt_ts = ? + MIN(600000, 1000 * (1 << MIN(attempts, 20)))
     WHERE id IN (SELECT value FROM json_each(?))`,
    now,
    jsonList(ids),
  );
}

export function pendingCount(sql: Sql, kind: OutboxKind): number {
  return first<{ n: number }>(sql, 'SELECT COUNT(*) AS n FROM outbox WHERE kind = ?', kind)!.n;
}

const KINDS: readonly OutboxKind[] = ['membership', 'summary', 'user', 'destination'];
const PENDING = `SELECT ${KINDS.map((k) => `EXISTS (SELECT 1 FROM outbox WHERE kind = '${k}') AS "${k}"`).join(', ')}`;

/** The kinds that have rows waiting: one statement of index probes, for the check after every write. */
export function pendingKinds(sql: Sql): Set<OutboxKind> {
  const row = first<Record<OutboxKind, number>>(sql, PENDING)!;
  return new Set(KINDS.filter((k) => row[k] === 1));
}

export function nextAttemptTs(sql: Sql, kind: OutboxKind): number | undefined {
  return first<{ t: number | null }>(sql, 'SELECT MIN(next_attempt_ts) AS t FROM outbox WHERE kind = ?', kind)?.t ?? undefined;
}
