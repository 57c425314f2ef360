// Notifying User objects (one per local user, `env.USERS`) of what concerns them, through
// the transactional outbox (store/outbox.ts, kind 'user').
//
// Writing: in the same transaction as an event, one broadcast row (target '*') when some
// User object is listening, and one row for the target of a local membership change (an
// invite, kick, ban or leave reaches someone who is not, or no longer, joined). A message
// in a room of N members costs one row, not N: the row is expanded at delivery to the
// joined local members whose User object holds a current lease (`sync_listeners`, renewed
// by `subscribeSync`). A User object without a lease catches up from `subscribeSync`'s
// positions when it renews, so it needs no notifications.
//
// Delivering: right after the commit (and from the alarm until acknowledged), rows are
// coalesced per user into one `notify` call carrying the newest positions; a call that
// fails is retried for that user alone with backoff. Receivers de-duplicate by
// (room, stream), so redelivery is harmless.
import { serverNameOf } from '../../src/core/ids/index.js';
import { acknowledge, dueRows, type OutboxRow } from './store/outbox.js';
import { enqueue } from './store/outbox.js';
import { enqueueRetry, hasListeners, joinedListeners, pruneListeners } from './store/sync.js';
import type { Sql } from './store/sql.js';
import type { RoomNotice } from './sync-api.js';

const BATCH = 1000;
/** Parallel notify calls from one room. */
const CONCURRENCY = 32;
/** Leases that ran out this long ago are deleted. */
const LISTENER_GRACE_MS = 24 * 3_600_000;

/**
 * Test hooks (module state, reachable only in-process): `hold` leaves rows undelivered (as if
 * the object stopped between commit and delivery); `drop` deletes them undelivered (a lost
 * notification, which only the User object's catch-up can repair).
 */
export const userDeliveryHooks: { mode: 'normal' | 'hold' | 'drop' } = { mode: 'normal' };

type Payload = { c: 'e'; m?: string } | { c: 'r' } | { c: 'n'; notice: RoomNotice };

export interface UserNotifier {
  notify(notice: RoomNotice): Promise<unknown>;
}

/**
 * Outbox rows for an event just appended (inside its transaction). The membership target's
 * row is written whoever they are; delivery skips users of other servers.
 */
export function enqueueEventNotices(
  sql: Sql,
  now: number,
  stream: number,
  event: { type: string; stateKey?: string | undefined; membership: string | null },
): void {
  if (hasListeners(sql, now)) enqueue(sql, 'user', '*', stream, { c: 'e' } satisfies Payload);
  if (event.type === 'm.room.member' && event.stateKey !== undefined && event.membership !== null) {
    enqueue(sql, 'user', event.stateKey, stream, { c: 'e', m: event.membership } satisfies Payload);
  }
}

/** Outbox rows for a receipt just stored: everyone listening, or only its owner when private. */
export function enqueueReceiptNotice(sql: Sql, receiptStream: number, owner: string, isPrivate: boolean): void {
  if (isPrivate) enqueue(sql, 'user', owner, receiptStream, { c: 'r' } satisfies Payload);
  else enqueue(sql, 'user', '*', receiptStream, { c: 'r' } satisfies Payload);
}

function isLocal(userId: string, serverName: string): boolean {
  try {
    return serverNameOf(userId) === serverName;
  } catch {
    return false;
  }
}

function merge(into: Map<string, RoomNotice>, userId: string, roomId: string, add: Omit<RoomNotice, 'roomId'>): void {
  const n = into.get(userId) ?? { roomId };
  if (add.stream !== undefined) n.stream = Math.max(n.stream ?? 0, add.stream);
  if (add.receipts !== undefined) n.receipts = Math.max(n.receipts ?? 0, add.receipts);
  if (add.typing !== undefined) n.typing = Math.max(n.typing ?? 0, add.typing);
  if (add.membership !== undefined && (n.membershipStream ?? -1) < (add.membershipStream ?? 0)) {
    n.membership = add.membership;
    n.membershipStream = add.membershipStream ?? 0;
  }
  into.set(userId, n);
}

/** What each user is told for a batch of rows. */
function noticesFor(sql: Sql, rows: readonly OutboxRow[], roomId: string, serverName: string, now: number): Map<string, RoomNotice> {
  const notices = new Map<string, RoomNotice>();
  let events: number | undefined;
  let receipts: number | undefined;
  for (const row of rows) {
    const p = JSON.parse(row.payload) as Payload;
    if (row.target === '*') {
      if (p.c === 'e') events = Math.max(events ?? 0, row.stream);
      else if (p.c === 'r') receipts = Math.max(receipts ?? 0, row.stream);
      continue;
    }
    if (!isLocal(row.target, serverName)) continue;
    if (p.c === 'e') merge(notices, row.target, roomId, { stream: row.stream, ...(p.m !== undefined ? { membership: p.m, membershipStream: row.stream } : {}) });
    else if (p.c === 'r') merge(notices, row.target, roomId, { receipts: row.stream });
    else merge(notices, row.target, roomId, p.notice);
  }
  if (events !== undefined || receipts !== undefined) {
    for (const user of joinedListeners(sql, now, serverName)) {
      merge(notices, user, roomId, { ...(events !== undefined ? { stream: events } : {}), ...(receipts !== undefined ? { receipts } : {}) });
    }
  }
  return notices;
}

/** Runs `fn` over the items with at most `limit` in flight. */
export async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * Delivers the due rows; returns how many were settled (acknowledged, or moved to per-user
 * retries). Never throws.
 */
export async function deliverUserNotices(
  sql: Sql,
  roomId: string,
  serverName: string,
  now: number,
  userStub: (userId: string) => UserNotifier,
  transaction: <T>(fn: () => T) => T,
): Promise<number> {
  if (userDeliveryHooks.mode === 'hold') return 0;
  const rows = dueRows(sql, 'user', now, BATCH);
  if (rows.length === 0) return 0;
  const ids = rows.map((r) => r.id);
  if (userDeliveryHooks.mode === 'drop') {
    acknowledge(sql, ids);
    return ids.length;
  }
  const notices = noticesFor(sql, rows, roomId, serverName, now);
  const attempts = new Map(rows.filter((r) => r.target !== '*').map((r) => [r.target, r.attempts]));
  const failed: [string, RoomNotice][] = [];
  await forEachLimited([...notices], CONCURRENCY, async ([userId, notice]) => {
    try {
      await userStub(userId).notify(notice);
    } catch (e) {
      console.error(`room outbox: notifying ${userId} failed`, e);
      failed.push([userId, notice]);
    }
  });
  transaction(() => {
    acknowledge(sql, ids);
    for (const [userId, notice] of failed) {
      const tries = (attempts.get(userId) ?? 0) + 1;
      // Exponential backoff from 1 s, capped at 10 minutes, as for the membership rows.
      enqueueRetry(sql, userId, notice.stream ?? 0, { c: 'n', notice } satisfies Payload, tries, now + Math.min(600_000, 1000 * 2 ** Math.min(tries - 1, 20)));
    }
    pruneListeners(sql, now - LISTENER_GRACE_MS);
  });
  return ids.length;
}
