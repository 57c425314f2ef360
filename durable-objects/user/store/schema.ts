// The User object's SQLite schema (documented in ../user-schema.md), created or upgraded in
// the constructor inside blockConcurrencyWhile; `meta.schema_version` records what exists.
import { runMigrations } from '../../room/store/migrations.js';
import { first, run, type Sql } from './sql.js';

const V1 = `
CREATE TABLE stream (
  position INTEGER PRIMARY KEY,
  key TEXT NOT NULL,
  kind TEXT NOT NULL,
  value INTEGER NOT NULL
);
CREATE INDEX stream_by_key ON stream (key, kind, position);

CREATE TABLE cursors (
  key TEXT NOT NULL,
  kind TEXT NOT NULL,
  value INTEGER NOT NULL,
  position INTEGER NOT NULL,
  PRIMARY KEY (key, kind)
) WITHOUT ROWID;

CREATE TABLE rooms (
  room_id TEXT PRIMARY KEY,
  membership TEXT,
  membership_stream INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE to_device (
  id INTEGER PRIMARY KEY,
  device_id TEXT NOT NULL,
  message TEXT NOT NULL
);
CREATE INDEX to_device_by_device ON to_device (device_id, id);

CREATE TABLE to_device_sent (
  device_id TEXT NOT NULL,
  position INTEGER NOT NULL,
  upto INTEGER NOT NULL,
  PRIMARY KEY (device_id, position)
) WITHOUT ROWID;

CREATE TABLE txns (
  token_hash TEXT NOT NULL,
  txn_id TEXT NOT NULL,
  created_ts INTEGER NOT NULL,
  PRIMARY KEY (token_hash, txn_id)
) WITHOUT ROWID;

CREATE TABLE lazy_members (
  device_id TEXT NOT NULL,
  room_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  event_id TEXT NOT NULL,
  position INTEGER NOT NULL,
  PRIMARY KEY (device_id, room_id, user_id)
) WITHOUT ROWID;
CREATE INDEX lazy_members_recent ON lazy_members (device_id, room_id, position);
`;

/** Step n is schema version n + 1. */
const STEPS = [V1];

export function migrate(sql: Sql): void {
  runMigrations(sql, 'schema_version', STEPS);
}

export function getMeta(sql: Sql, key: string): string | undefined {
  return first<{ value: string }>(sql, 'SELECT value FROM meta WHERE key = ?', key)?.value;
}

export function setMeta(sql: Sql, key: string, value: string): void {
  run(sql, 'INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)', key, value);
}
