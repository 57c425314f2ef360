// Writes that are not events: read receipts (stored in SQLite, notified through the outbox)
// and typing (memory, notified directly: a lost typing notice only delays a hint that expires
// anyway).
import { checkThreadId } from '../../src/core/sync/receipts.js';
import { getEventRow, IN_TIMELINE } from './store/events.js';
import { memberRow } from './store/current-state.js';
import { receiptRow, upsertReceipt } from './store/receipts.js';
import { first } from './store/sql.js';
import { joinedListeners } from './store/sync.js';
import type { RoomStore } from './store/room-store.js';
import type { TypingState } from './typing.js';
import { enqueueReceiptNotice, forEachLimited, type UserNotifier } from './user-delivery.js';
import type { RoomFailure } from './api.js';
import type { SetReceiptInput, SetReceiptResult, SetTypingInput, SetTypingResult } from './sync-api.js';

const notJoined = (userId: string): RoomFailure => ({ ok: false, errcode: 'M_FORBIDDEN', error: `${userId} is not in the room` });

/**
 * Stores a receipt ("Each user_id, receipt_type, and categorisation (unthreaded, or
 * thread_id) tuple must be associated with only a single event_id") and queues its
 * notification, in one transaction. A receipt for an event older than the one already held
 * is a no-op, as receipts are "up to" markers.
 */
export function setReceipt(
  store: RoomStore,
  input: SetReceiptInput,
  now: number,
  transaction: <T>(fn: () => T) => T,
): SetReceiptResult {
  const { sql } = store;
  if (memberRow(sql, input.userId)?.membership !== 'join') return notJoined(input.userId);
  const thread = checkThreadId(input.receiptType, input.threadId);
  if (!thread.ok) return { ok: false, errcode: 'M_INVALID_PARAM', error: thread.error };
  const target = getEventRow(sql, input.eventId);
  if (!target || target.rejected !== null || target.outlier !== 0) return { ok: false, errcode: 'M_NOT_FOUND', error: 'Event not found.' };
  const threadId = thread.threadId ?? '';
  const existing = receiptRow(sql, input.userId, input.receiptType, threadId);
  if (existing) {
    const held = first<{ stream: number }>(sql, `SELECT stream FROM events WHERE event_id = ? AND ${IN_TIMELINE}`, existing.event_id);
    if (existing.event_id === input.eventId || (held && held.stream > target.stream)) return { ok: true };
  }
  transaction(() => {
    const stream = upsertReceipt(sql, { userId: input.userId, type: input.receiptType, threadId, eventId: input.eventId, ts: now });
    enqueueReceiptNotice(sql, stream, input.userId, input.receiptType === 'm.read.private');
  });
  return { ok: true };
}

/** Sets a typing flag; `notify` is called with who must be told (when the list changed). */
export function setTyping(store: RoomStore, typing: TypingState, input: SetTypingInput, now: number): SetTypingResult | 'changed' {
  if (memberRow(store.sql, input.userId)?.membership !== 'join') return notJoined(input.userId);
  return typing.set(input.userId, input.typing, input.timeoutMs, now) ? 'changed' : { ok: true };
}

/** Tells the joined, listening local members the new typing serial. */
export async function notifyTyping(
  store: RoomStore,
  typing: TypingState,
  serverName: string,
  now: number,
  userStub: (userId: string) => UserNotifier,
): Promise<void> {
  const serial = typing.serial;
  const roomId = store.roomId;
  await forEachLimited(joinedListeners(store.sql, now, serverName), 32, async (userId) => {
    try {
      await userStub(userId).notify({ roomId, typing: serial });
    } catch (e) {
      console.error(`room: typing notice to ${userId} failed`, e);
    }
  });
}
