// The Room object's SQLite schema (documented in ../room-schema.md), created or upgraded in
// the constructor inside blockConcurrencyWhile. `meta.schema_version` records what exists;
// each step upgrades from the previous version so old objects keep working.
import { runMigrations } from './migrations.js';
import type { Sql } from './sql.js';

const V1 = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

CREATE TABLE events (
  stream INTEGER PRIMARY KEY,
  event_id TEXT NOT NULL UNIQUE,
  depth INTEGER NOT NULL,
  type TEXT NOT NULL,
  state_key TEXT,
  sender TEXT NOT NULL,
  origin_server_ts INTEGER NOT NULL,
  membership TEXT,
  rejected TEXT,
  soft_failed INTEGER NOT NULL DEFAULT 0,
  outlier INTEGER NOT NULL DEFAULT 0,
  redacts TEXT,
  redacted_because TEXT,
  sg_before INTEGER,
  sg_after INTEGER,
  replaces_state TEXT,
  json TEXT NOT NULL
);
CREATE INDEX events_timeline ON events (depth, stream) WHERE rejected IS NULL AND soft_failed = 0 AND outlier = 0;
CREATE INDEX events_by_ts ON events (origin_server_ts, stream) WHERE rejected IS NULL AND soft_failed = 0 AND outlier = 0;
CREATE INDEX events_members ON events (state_key, stream) WHERE type = 'm.room.member';
CREATE INDEX events_redacts ON events (redacts) WHERE redacts IS NOT NULL;

CREATE TABLE prev_edges (event_id TEXT NOT NULL, prev_id TEXT NOT NULL, PRIMARY KEY (event_id, prev_id)) WITHOUT ROWID;
CREATE INDEX prev_edges_by_prev ON prev_edges (prev_id);
CREATE TABLE auth_edges (event_id TEXT NOT NULL, auth_id TEXT NOT NULL, PRIMARY KEY (event_id, auth_id)) WITHOUT ROWID;
CREATE TABLE extremities (event_id TEXT PRIMARY KEY) WITHOUT ROWID;

CREATE TABLE state_groups (
  id INTEGER PRIMARY KEY,
  parent INTEGER,
  base INTEGER,
  pos INTEGER NOT NULL
);
CREATE TABLE state_group_entries (
  group_id INTEGER NOT NULL,
  type TEXT NOT NULL,
  state_key TEXT NOT NULL,
  event_id TEXT,
  PRIMARY KEY (group_id, type, state_key)
) WITHOUT ROWID;

CREATE TABLE current_state (
  type TEXT NOT NULL,
  state_key TEXT NOT NULL,
  event_id TEXT NOT NULL,
  PRIMARY KEY (type, state_key)
) WITHOUT ROWID;

CREATE TABLE members (
  user_id TEXT PRIMARY KEY,
  membership TEXT NOT NULL,
  event_id TEXT NOT NULL,
  stream INTEGER NOT NULL,
  displayname TEXT,
  avatar_url TEXT
) WITHOUT ROWID;
CREATE INDEX members_by_membership ON members (membership, user_id);

CREATE TABLE txns (
  token_hash TEXT NOT NULL,
  txn_id TEXT NOT NULL,
  event_id TEXT NOT NULL,
  created_ts INTEGER NOT NULL,
  PRIMARY KEY (token_hash, txn_id)
) WITHOUT ROWID;
CREATE INDEX txns_by_event ON txns (event_id);

CREATE TABLE outbox (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  target TEXT NOT NULL,
  stream INTEGER NOT NULL,
  payload TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_ts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX outbox_due ON outbox (kind, next_attempt_ts);
`;

// v2: transaction IDs scoped to the device and the endpoint (store/txns.ts); the old token-
// keyed \`txns\` rows stay readable.
const V2 = `
CREATE TABLE txn_ids (
  user_id TEXT NOT NULL,
  device_id TEXT NOT NULL,
  scope TEXT NOT NULL,
  txn_id TEXT NOT NULL,
  event_id TEXT NOT NULL,
  token_hash TEXT,
  created_ts INTEGER NOT NULL,
  PRIMARY KEY (user_id, device_id, scope, txn_id)
) WITHOUT ROWID;
CREATE INDEX txn_ids_by_event ON txn_ids (event_id);
`;

// v3: transaction IDs are pruned after a day (store/txns.ts), by age.
const V3 = `
CREATE INDEX txn_ids_by_ts ON txn_ids (created_ts);
CREATE INDEX txns_by_ts ON txns (created_ts);
`;

/** Step n is schema version n + 1. */
const STEPS = [V1, V2, V3];

export function migrate(sql: Sql): void {
  runMigrations(sql, 'schema_version', STEPS);
}
