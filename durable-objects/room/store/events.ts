// The `events` table (every PDU the room knows, with indexed columns beside its JSON) and the
// DAG tables `prev_edges`, `auth_edges` and `extremities`.
import { all, first, jsonList, run, type Sql } from './sql.js';

export interface EventRow {
  [column: string]: SqlStorageValue;
  stream: number;
  event_id: string;
  depth: number;
  type: string;
  state_key: string | null;
  sender: string;
  origin_server_ts: number;
  membership: string | null;
  /** Why the event was rejected, or null if it was accepted. */
  rejected: string | null;
  soft_failed: number;
  outlier: number;
  redacts: string | null;
  redacted_because: string | null;
  sg_before: number | null;
  sg_after: number | null;
  replaces_state: string | null;
  json: string;
}

export type NewEventRow = Omit<EventRow, 'stream'>;

/** Events that belong in the timeline and in state: accepted, not soft-failed, not outliers. */
export const IN_TIMELINE = 'rejected IS NULL AND soft_failed = 0 AND outlier = 0';

export function getEventRow(sql: Sql, eventId: string): EventRow | undefined {
  return first<EventRow>(sql, 'SELECT * FROM events WHERE event_id = ?', eventId);
}

export function getEventRows(sql: Sql, eventIds: readonly string[]): Map<string, EventRow> {
  if (eventIds.length === 0) return new Map();
  const rows = all<EventRow>(sql, 'SELECT * FROM events WHERE event_id IN (SELECT value FROM json_each(?))', jsonList(eventIds));
  return new Map(rows.map((r) => [r.event_id, r]));
}

export function hasEvent(sql: Sql, eventId: string): boolean {
  return first(sql, 'SELECT 1 AS x FROM events WHERE event_id = ?', eventId) !== undefined;
}

export function maxStream(sql: Sql): number {
  return first<{ s: number | null }>(sql, 'SELECT MAX(stream) AS s FROM events')?.s ?? 0;
}

/** The newest timeline position: (depth, stream) of the highest-ordered event. */
export function maxTopological(sql: Sql): { depth: number; stream: number } {
  const row = first<{ depth: number; stream: number }>(
    sql,
    `SELECT depth, stream FROM events WHERE ${IN_TIMELINE} ORDER BY depth DESC, stream DESC LIMIT 1`,
  );
  return row ?? { depth: 0, stream: 0 };
}

/** Inserts the event at the next stream position (one statement) and returns that position. */
export function insertEvent(sql: Sql, row: NewEventRow): number {
  const inserted = sql.exec<{ stream: number }>(
    `INSERT INTO events (stream, event_id, depth, type, state_key, sender, origin_server_ts, membership, rejected,
       soft_failed, outlier, redacts, redacted_because, sg_before, sg_after, replaces_state, json)
     VALUES ((SELECT COALESCE(MAX(stream), 0) + 1 FROM events), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     RETURNING stream`,
    row.event_id,
    row.depth,
    row.type,
    row.state_key,
    row.sender,
    row.origin_server_ts,
    row.membership,
    row.rejected,
    row.soft_failed,
    row.outlier,
    row.redacts,
    row.redacted_because,
    row.sg_before,
    row.sg_after,
    row.replaces_state,
    row.json,
  );
  return inserted.one().stream;
}

/** The event's prev and auth edges, one statement each (duplicates in the lists are ignored). */
export function insertEdges(sql: Sql, eventId: string, prevIds: readonly string[], authIds: readonly string[]): void {
  if (prevIds.length > 0) {
    run(sql, 'INSERT OR IGNORE INTO prev_edges (event_id, prev_id) SELECT ?, value FROM json_each(?)', eventId, jsonList(prevIds));
  }
  if (authIds.length > 0) {
    run(sql, 'INSERT OR IGNORE INTO auth_edges (event_id, auth_id) SELECT ?, value FROM json_each(?)', eventId, jsonList(authIds));
  }
}

export interface Extremity {
  [column: string]: SqlStorageValue;
  event_id: string;
  depth: number;
  stream: number;
  sg_after: number | null;
}

/** The forward extremities, deepest first. */
export function forwardExtremities(sql: Sql): Extremity[] {
  return all<Extremity>(
    sql,
    // CROSS JOIN keeps extremities (a handful of rows) as the outer loop: SQLite would
    // otherwise be free to scan every event.
    `SELECT e.event_id, e.depth, e.stream, e.sg_after FROM extremities x CROSS JOIN events e ON e.event_id = x.event_id
     ORDER BY e.depth DESC, e.stream DESC`,
  );
}

/**
 * The event replaces its prev_events as a forward extremity. `fresh`: the event was built
 * here just now, so no stored event can cite it yet.
 */
export function advanceExtremities(sql: Sql, eventId: string, prevIds: readonly string[], fresh = false): void {
  if (prevIds.length > 0) run(sql, 'DELETE FROM extremities WHERE event_id IN (SELECT value FROM json_each(?))', jsonList(prevIds));
  if (fresh) {
    run(sql, 'INSERT OR IGNORE INTO extremities (event_id) VALUES (?)', eventId);
    return;
  }
  // An event that some known event already cites is not a forward extremity.
  run(
    sql,
    'INSERT OR IGNORE INTO extremities (event_id) SELECT ? WHERE NOT EXISTS (SELECT 1 FROM prev_edges WHERE prev_id = ?)',
    eventId,
    eventId,
  );
}

/** "The auth chain of an event E is the set containing all of E's auth events, all of their auth events, and so on recursively." */
export function authChain(sql: Sql, eventId: string): string[] {
  return all<{ id: string }>(
    sql,
    `WITH RECURSIVE chain(id) AS (
       SELECT auth_id FROM auth_edges WHERE event_id = ?
       UNION SELECT a.auth_id FROM chain c CROSS JOIN auth_edges a ON a.event_id = c.id)
     SELECT id FROM chain`,
    eventId,
  ).map((r) => r.id);
}

export function setRedactedBecause(sql: Sql, eventId: string, redactionId: string): void {
  run(sql, 'UPDATE events SET redacted_because = ? WHERE event_id = ? AND redacted_because IS NULL', redactionId, eventId);
}

/** Accepted redactions of `eventId` that arrived before it. */
export function redactionsOf(sql: Sql, eventId: string): EventRow[] {
  return all<EventRow>(sql, `SELECT * FROM events WHERE redacts = ? AND ${IN_TIMELINE} ORDER BY stream`, eventId);
}
