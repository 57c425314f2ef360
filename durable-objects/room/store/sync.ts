// The room object's tables for sync (documented in ../room-schema.md, "Sync"): who is
// listening for notifications (`sync_listeners`), read receipts (`receipts`, see
// receipts.ts), and the outbox rows that notify User objects. Created by `migrateSync` in the
// constructor, versioned apart from the event store (`meta.sync_schema_version`) so that the
// two can evolve independently.
import { runMigrations } from './migrations.js';
import { all, first, run, type Sql } from './sql.js';

const V1 = `
CREATE TABLE IF NOT EXISTS sync_listeners (
  user_id TEXT PRIMARY KEY,
  until_ts INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS receipts (
  user_id TEXT NOT NULL,
  receipt_type TEXT NOT NULL,
  thread_id TEXT NOT NULL,
  event_id TEXT NOT NULL,
  ts INTEGER NOT NULL,
  stream INTEGER NOT NULL,
  PRIMARY KEY (user_id, receipt_type, thread_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS receipts_by_stream ON receipts (stream);
`;

export function migrateSync(sql: Sql): void {
  runMigrations(sql, 'sync_schema_version', [V1]);
}

/** A lease within this much of the asked one is kept as it is (saves a write per read). */
const LEASE_SLACK_MS = 10 * 60_000;

/** The user's User object wants notifications of this room until `untilTs`. */
export function setListener(sql: Sql, userId: string, untilTs: number): void {
  const held = first<{ until_ts: number }>(sql, 'SELECT until_ts FROM sync_listeners WHERE user_id = ?', userId)?.until_ts;
  if (held !== undefined && held >= untilTs - LEASE_SLACK_MS) return;
  run(sql, 'INSERT OR REPLACE INTO sync_listeners (user_id, until_ts) VALUES (?, ?)', userId, Math.max(untilTs, held ?? 0));
}

export function hasListeners(sql: Sql, now: number): boolean {
  return first(sql, 'SELECT 1 AS x FROM sync_listeners WHERE until_ts > ? LIMIT 1', now) !== undefined;
}

/** Joined members of this server whose lease is current: who a broadcast notification reaches. */
export function joinedListeners(sql: Sql, now: number, serverName: string): string[] {
  return all<{ user_id: string }>(
    sql,
    `SELECT l.user_id FROM sync_listeners l CROSS JOIN members m ON m.user_id = l.user_id
     WHERE l.until_ts > ? AND m.membership = 'join'`,
    now,
  )
    .map((r) => r.user_id)
    .filter((u) => u.endsWith(`:${serverName}`));
}

/** Forgets listeners whose lease ran out long ago (called from delivery, cheaply bounded). */
export function pruneListeners(sql: Sql, before: number): void {
  run(sql, 'DELETE FROM sync_listeners WHERE until_ts < ?', before);
}

/** A notification that failed for one user, retried on its own with backoff. */
export function enqueueRetry(sql: Sql, userId: string, stream: number, payload: unknown, attempts: number, nextAttemptTs: number): void {
  run(
    sql,
    "INSERT INTO outbox (kind, target, stream, payload, attempts, next_attempt_ts) VALUES ('user', ?, ?, ?, ?, ?)",
    userId,
    stream,
    JSON.stringify(payload),
    attempts,
    nextAttemptTs,
  );
}
