// Transaction IDs (client-server "Transaction identifiers"): "The scope of a transaction ID is
// for a single device" — here the access token, by its hash — so a retried request returns
// the event the first one created.
import { first, jsonList, all, run, type Sql } from './sql.js';

export function eventForTxn(sql: Sql, tokenHash: string, txnId: string): string | undefined {
  return first<{ event_id: string }>(sql, 'SELECT event_id FROM txns WHERE token_hash = ? AND txn_id = ?', tokenHash, txnId)
    ?.event_id;
}

export function recordTxn(sql: Sql, tokenHash: string, txnId: string, eventId: string, now: number): void {
  run(sql, 'INSERT OR IGNORE INTO txns (token_hash, txn_id, event_id, created_ts) VALUES (?, ?, ?, ?)', tokenHash, txnId, eventId, now);
}

/** event ID → txn ID, for the events among `eventIds` that this token sent. */
export function txnIdsFor(sql: Sql, tokenHash: string, eventIds: readonly string[]): Map<string, string> {
  if (eventIds.length === 0) return new Map();
  const rows = all<{ event_id: string; txn_id: string }>(
    sql,
    'SELECT event_id, txn_id FROM txns WHERE token_hash = ? AND event_id IN (SELECT value FROM json_each(?))',
    tokenHash,
    jsonList(eventIds),
  );
  return new Map(rows.map((r) => [r.event_id, r.txn_id]));
}
