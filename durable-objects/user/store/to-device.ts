// The to-device inbox (client-server "Send-to-Device messaging"): messages wait per device
// until a /sync acknowledges them. "once the client has received a message ... the server
// can delete it": a message counts as received once the client syncs with a token at or
// after the response that carried it, so each response carrying messages gets a position of
// its own (`to_device_sent`), and a later `since` at or past it deletes what it carried.
import { all, first, run, type Sql } from './sql.js';
import type { ToDeviceMessage } from '../api.js';

/** Messages a device's /sync takes at most per response. */
export const TO_DEVICE_LIMIT = 100;

export function addMessage(sql: Sql, deviceId: string, message: ToDeviceMessage): number {
  run(sql, 'INSERT INTO to_device (device_id, message) VALUES (?, ?)', deviceId, JSON.stringify(message));
  return first<{ id: number }>(sql, 'SELECT last_insert_rowid() AS id')!.id;
}

/** Deletes what responses up to position `since` carried; returns the newest message ID acknowledged. */
export function acknowledge(sql: Sql, deviceId: string, since: number): number {
  const upto = first<{ upto: number | null }>(sql, 'SELECT MAX(upto) AS upto FROM to_device_sent WHERE device_id = ? AND position <= ?', deviceId, since)?.upto ?? 0;
  if (upto > 0) {
    run(sql, 'DELETE FROM to_device WHERE device_id = ? AND id <= ?', deviceId, upto);
    run(sql, 'DELETE FROM to_device_sent WHERE device_id = ? AND position < ?', deviceId, since);
  }
  return upto;
}

export function pendingMessages(sql: Sql, deviceId: string, after: number): { id: number; message: ToDeviceMessage }[] {
  return all<{ id: number; message: string }>(
    sql,
    'SELECT id, message FROM to_device WHERE device_id = ? AND id > ? ORDER BY id LIMIT ?',
    deviceId,
    after,
    TO_DEVICE_LIMIT,
  ).map((r) => ({ id: r.id, message: JSON.parse(r.message) as ToDeviceMessage }));
}

export function recordSent(sql: Sql, deviceId: string, position: number, upto: number): void {
  run(sql, 'INSERT OR REPLACE INTO to_device_sent (device_id, position, upto) VALUES (?, ?, ?)', deviceId, position, upto);
}

/** Claims a (token, txnId) for a sender's PUT /sendToDevice; false when already seen. */
export function claimTxn(sql: Sql, tokenHash: string, txnId: string, now: number): boolean {
  if (first(sql, 'SELECT 1 AS x FROM txns WHERE token_hash = ? AND txn_id = ?', tokenHash, txnId)) return false;
  run(sql, 'INSERT INTO txns (token_hash, txn_id, created_ts) VALUES (?, ?, ?)', tokenHash, txnId, now);
  return true;
}

/** Whether the device has messages no response up to `since` carried. */
export function hasUnsent(sql: Sql, deviceId: string, since: number): boolean {
  const upto = first<{ upto: number | null }>(sql, 'SELECT MAX(upto) AS upto FROM to_device_sent WHERE device_id = ? AND position <= ?', deviceId, since)?.upto ?? 0;
  return first(sql, 'SELECT 1 AS x FROM to_device WHERE device_id = ? AND id > ? LIMIT 1', deviceId, upto) !== undefined;
}
