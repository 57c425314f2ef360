// Catch-up: the path that makes "no event is ever missed" hold even when a notification is
// lost. The User object asks every room the membership index (D1) and its own `rooms` table
// know for its positions (`subscribeSync`, which also renews the room's lease to notify this
// user), and appends whatever is newer than its stream holds; likewise the account-data
// position. It runs when the object starts (an evicted object may have missed
// notifications), when the lease nears its end (in the background), and before answering
// when the lease has ended (nothing was notifying it).
import { listMemberships, maxAccountDataStream } from '../../src/db/sync.js';
import { forEachLimited } from '../room/user-delivery.js';
import type { RoomStub } from '../room/api.js';
import type { SubscribeSyncResult } from '../room/sync-api.js';
import { advance, append, cursor, knownRoomRows, setRoomMembership } from './store/stream.js';
import type { Sql } from './store/sql.js';

const ACTIVE = new Set(['join', 'invite', 'knock']);
const CONCURRENCY = 32;

export interface CatchUpDeps {
  sql: Sql;
  env: Env;
  userId: string;
  untilTs: number;
  /** The lease had ended: presence changes may have been missed too. */
  leaseExpired: boolean;
  transaction<T>(fn: () => T): T;
}

/** Returns whether anything new was appended to the stream. */
export async function catchUp(deps: CatchUpDeps): Promise<boolean> {
  const { sql, env, userId } = deps;
  const [index, accountData] = await Promise.all([listMemberships(env.DB, userId), maxAccountDataStream(env.DB, userId)]);
  const rooms = new Map<string, { membership: string | null; stream: number }>();
  for (const r of index) rooms.set(r.room_id, { membership: r.membership, stream: r.stream });
  for (const r of knownRoomRows(sql)) {
    const seen = rooms.get(r.room_id);
    if (!seen || seen.stream < r.membership_stream) rooms.set(r.room_id, { membership: r.membership, stream: r.membership_stream });
  }
  const active = [...rooms].filter(([, r]) => r.membership !== null && ACTIVE.has(r.membership)).map(([id]) => id);
  const answers = new Map<string, SubscribeSyncResult>();
  await forEachLimited(active, CONCURRENCY, async (roomId) => {
    try {
      const stub = env.ROOMS.getByName(roomId) as unknown as RoomStub;
      answers.set(roomId, await stub.subscribeSync({ userId, untilTs: deps.untilTs }));
    } catch (e) {
      console.error(`user: catch-up of ${roomId} failed`, e);
    }
  });
  return deps.transaction(() => {
    let appended = false;
    for (const [roomId, r] of answers) {
      if (!r.ok) continue;
      appended = advance(sql, roomId, 'room', r.stream) || appended;
      appended = advance(sql, roomId, 'receipt', r.receiptStream) || appended;
      appended = advance(sql, roomId, 'typing', r.typingStream) || appended;
      setRoomMembership(sql, roomId, r.membership, r.membershipStream);
    }
    // Rooms the user left or was banned from: the membership event itself.
    for (const [roomId, r] of rooms) {
      if (r.membership === null || ACTIVE.has(r.membership) || answers.has(roomId)) continue;
      if ((cursor(sql, roomId, 'room') ?? 0) < r.stream) {
        appended = advance(sql, roomId, 'room', r.stream) || appended;
        setRoomMembership(sql, roomId, r.membership, r.stream);
      }
    }
    if (accountData > 0) appended = advance(sql, '', 'account_data', accountData) || appended;
    if (deps.leaseExpired) {
      append(sql, '*', 'presence', (cursor(sql, '*', 'presence') ?? 0) + 1);
      appended = true;
    }
    return appended;
  });
}
