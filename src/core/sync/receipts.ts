// Receipts (client-server "Receipts"): validating a receipt request and shaping stored
// receipts into the `m.receipt` ephemeral event of /sync.

export const RECEIPT_TYPES = ['m.read', 'm.read.private', 'm.fully_read'] as const;
export type ReceiptType = (typeof RECEIPT_TYPES)[number];

export const isReceiptType = (t: string): t is ReceiptType => (RECEIPT_TYPES as readonly string[]).includes(t);

/**
 * "The thread_id is invalid in some way. For example: It is not a string. It is empty. It
 * is provided for an incompatible receipt type." Threads are `main` or a thread root's
 * event ID; m.fully_read is a marker, not a receipt, and has no thread.
 */
export function checkThreadId(type: ReceiptType, threadId: unknown): { ok: true; threadId: string | undefined } | { ok: false; error: string } {
  if (threadId === undefined) return { ok: true, threadId: undefined };
  if (typeof threadId !== 'string' || threadId === '') return { ok: false, error: 'thread_id field must be a non-empty string' };
  if (type === 'm.fully_read') return { ok: false, error: 'thread_id is not allowed for m.fully_read' };
  if (threadId !== 'main' && !threadId.startsWith('$')) return { ok: false, error: 'thread_id must be "main" or an event ID' };
  return { ok: true, threadId };
}

export interface StoredReceipt {
  userId: string;
  type: string;
  /** '' for an unthreaded receipt. */
  threadId: string;
  eventId: string;
  ts: number;
}

export type ReceiptContent = Record<string, Record<string, Record<string, { ts: number; thread_id?: string }>>>;

/**
 * `m.receipt` content: event ID → receipt type → user → `{ts, thread_id?}`. "Servers MUST
 * NOT send the m.read.private receipt to any other user than the one which originally sent
 * it": private receipts of others are dropped here.
 */
export function receiptContent(receipts: readonly StoredReceipt[], viewer: string): ReceiptContent | undefined {
  const content: ReceiptContent = {};
  let any = false;
  for (const r of receipts) {
    if (r.type === 'm.read.private' && r.userId !== viewer) continue;
    const byType = (content[r.eventId] ??= {});
    const byUser = (byType[r.type] ??= {});
    byUser[r.userId] = r.threadId === '' ? { ts: r.ts } : { ts: r.ts, thread_id: r.threadId };
    any = true;
  }
  return any ? content : undefined;
}
