// Read receipts (client-server "Receipts"): one row per (user, receipt type, thread), the
// latest event it points at, and a `stream` from the room's receipt counter so /sync can ask
// for "receipts since N". `thread_id` is '' for an unthreaded receipt.
import { all, first, run, type Sql } from './sql.js';

export interface ReceiptRow {
  [column: string]: SqlStorageValue;
  user_id: string;
  receipt_type: string;
  thread_id: string;
  event_id: string;
  ts: number;
  stream: number;
}

export function maxReceiptStream(sql: Sql): number {
  return first<{ s: number | null }>(sql, 'SELECT MAX(stream) AS s FROM receipts')?.s ?? 0;
}

/** Stores the receipt at the next receipt stream position and returns that position. */
export function upsertReceipt(sql: Sql, r: { userId: string; type: string; threadId: string; eventId: string; ts: number }): number {
  const stream = maxReceiptStream(sql) + 1;
  run(
    sql,
    `INSERT INTO receipts (user_id, receipt_type, thread_id, event_id, ts, stream) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (user_id, receipt_type, thread_id) DO UPDATE SET event_id = excluded.event_id, ts = excluded.ts, stream = excluded.stream`,
    r.userId,
    r.type,
    r.threadId,
    r.eventId,
    r.ts,
    stream,
  );
  return stream;
}

export function receiptRow(sql: Sql, userId: string, type: string, threadId: string): ReceiptRow | undefined {
  return first<ReceiptRow>(sql, 'SELECT * FROM receipts WHERE user_id = ? AND receipt_type = ? AND thread_id = ?', userId, type, threadId);
}

/** Receipts with from < stream <= to, newest last; at most `limit` (the newest ones). */
export function receiptsBetween(sql: Sql, from: number, to: number, limit: number): ReceiptRow[] {
  return all<ReceiptRow>(
    sql,
    'SELECT * FROM (SELECT * FROM receipts WHERE stream > ? AND stream <= ? ORDER BY stream DESC LIMIT ?) ORDER BY stream',
    from,
    to,
    limit,
  );
}
