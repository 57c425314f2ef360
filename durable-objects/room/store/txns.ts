// Transaction IDs (client-server "Transaction identifiers"): "The scope of a transaction ID is
// for a single device, and a single HTTP endpoint", and a request is a retransmission "if the
// transaction ID is the same as a previous request, and the path of the HTTP request is the
// same". Rows are keyed by the sender's device (so a retry after refreshing the access token
// is still recognised) and the scope, the request path without the txnId (`send/<type>`,
// `redact/<eventId>`; the room is this object). The token hash is kept beside them so callers
// that only know the token still find `unsigned.transaction_id`.
//
// Rows written before scopes existed live in the legacy `txns` table, keyed by token hash
// alone; they are still honoured when the event they created fits the scope.
import type { TxnKey } from '../api.js';
import { all, first, jsonList, run, type Sql } from './sql.js';

/** Who is reading: `unsigned.transaction_id` is shown only to the device (or token) that sent the event. */
export interface TxnViewer {
  userId?: string | undefined;
  deviceId?: string | undefined;
  tokenHash?: string | undefined;
}

/** Whether the room has pre-scope rows at all (none are written any more), asked once per object. */
const legacyRows = new WeakMap<Sql, boolean>();
function hasLegacyRows(sql: Sql): boolean {
  let has = legacyRows.get(sql);
  if (has === undefined) {
    has = first(sql, 'SELECT 1 AS x FROM txns LIMIT 1') !== undefined;
    legacyRows.set(sql, has);
  }
  return has;
}

/** The event a previous request with this key created, if any. */
export function eventForTxn(sql: Sql, sender: string, key: TxnKey): string | undefined {
  const row = first<{ event_id: string }>(
    sql,
    'SELECT event_id FROM txn_ids WHERE user_id = ? AND device_id = ? AND scope = ? AND txn_id = ?',
    sender,
    key.deviceId,
    key.scope,
    key.txnId,
  );
  if (row) return row.event_id;
  if (key.tokenHash === undefined || !hasLegacyRows(sql)) return undefined;
  const legacy = first<{ event_id: string; type: string; redacts: string | null }>(
    sql,
    `SELECT t.event_id, e.type, e.redacts FROM txns t CROSS JOIN events e ON e.event_id = t.event_id
     WHERE t.token_hash = ? AND t.txn_id = ?`,
    key.tokenHash,
    key.txnId,
  );
  return legacy && legacyFits(legacy, key.scope) ? legacy.event_id : undefined;
}

/** Whether a pre-scope row's event could have come from a request on this path. */
function legacyFits(event: { type: string; redacts: string | null }, scope: string): boolean {
  if (scope.startsWith('send/')) return event.type === scope.slice('send/'.length);
  if (scope.startsWith('redact/')) return event.type === 'm.room.redaction' && event.redacts === scope.slice('redact/'.length);
  return false;
}

export function recordTxn(sql: Sql, sender: string, key: TxnKey, eventId: string, now: number): void {
  run(
    sql,
    `INSERT OR IGNORE INTO txn_ids (user_id, device_id, scope, txn_id, event_id, token_hash, created_ts)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
    sender,
    key.deviceId,
    key.scope,
    key.txnId,
    eventId,
    key.tokenHash ?? null,
    now,
  );
}

/** event ID → txn ID, for the events among `eventIds` that this viewer's device (or token) sent. */
export function txnIdsFor(sql: Sql, viewer: TxnViewer, eventIds: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  const byDevice = viewer.userId !== undefined && viewer.deviceId !== undefined;
  if (eventIds.length === 0 || (!byDevice && viewer.tokenHash === undefined)) return out;
  const ids = jsonList(eventIds);
  const rows = all<{ event_id: string; txn_id: string; user_id: string; device_id: string; token_hash: string | null }>(
    sql,
    'SELECT event_id, txn_id, user_id, device_id, token_hash FROM txn_ids WHERE event_id IN (SELECT value FROM json_each(?))',
    ids,
  );
  for (const r of rows) {
    const mine = byDevice ? r.user_id === viewer.userId && r.device_id === viewer.deviceId : r.token_hash === viewer.tokenHash;
    if (mine) out.set(r.event_id, r.txn_id);
  }
  if (viewer.tokenHash !== undefined && out.size < eventIds.length && hasLegacyRows(sql)) {
    const legacy = all<{ event_id: string; txn_id: string }>(
      sql,
      'SELECT event_id, txn_id FROM txns WHERE token_hash = ? AND event_id IN (SELECT value FROM json_each(?))',
      viewer.tokenHash,
      ids,
    );
    for (const r of legacy) if (!out.has(r.event_id)) out.set(r.event_id, r.txn_id);
  }
  return out;
}

/**
 * How long a transaction ID is remembered: retransmissions come within minutes, and Synapse
 * forgets them after a day too. Afterwards the same txnId sends a new event.
 */
export const TXN_RETENTION_MS = 24 * 60 * 60 * 1000;

/** Forgets transaction IDs recorded before `before`, at most `limit` of each kind per call. */
export function pruneTxns(sql: Sql, before: number, limit = 1000): void {
  sql.exec(
    `DELETE FROM txn_ids WHERE (user_id, device_id, scope, txn_id) IN
       (SELECT user_id, device_id, scope, txn_id FROM txn_ids WHERE created_ts < ? LIMIT ?)`,
    before,
    limit,
  );
  sql.exec(
    'DELETE FROM txns WHERE (token_hash, txn_id) IN (SELECT token_hash, txn_id FROM txns WHERE created_ts < ? LIMIT ?)',
    before,
    limit,
  );
}
