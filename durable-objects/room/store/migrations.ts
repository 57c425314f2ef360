// Versioned SQLite schemas for Durable Objects (the room's event store, its sync tables, the
// User object): `meta.<versionKey>` records how many steps were applied; the missing ones run
// in order, each recorded as it completes. Called inside blockConcurrencyWhile.
import { first, run, type Sql } from './sql.js';

/** Applies `steps[n]` (schema version n + 1) for every version above the recorded one. */
export function runMigrations(sql: Sql, versionKey: string, steps: readonly string[]): void {
  run(sql, 'CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID');
  const row = first<{ value: string }>(sql, 'SELECT value FROM meta WHERE key = ?', versionKey);
  for (let version = row ? Number(row.value) : 0; version < steps.length; version++) {
    sql.exec(steps[version]!);
    run(sql, 'INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)', versionKey, String(version + 1));
  }
}
