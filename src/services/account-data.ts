// Account data (client-server "Client Config"): per-user JSON objects, global or scoped to
// a room, each written at a position of the account-data stream that /sync will read.
// Server-managed types (m.fully_read, m.push_rules) are written through this module by the
// features that own them (read markers, push rules); only the client endpoints refuse them.
import * as accountDataDb from '../db/account-data.js';
import { getPushRules } from './push-rules.js';

/**
 * "Servers MUST reject setting account data for event types that the server manages by
 * using a 405 error response. Currently, this only includes `m.fully_read` and
 * `m.push_rules`. This applies to both global and room-specific account data."
 */
const SERVER_MANAGED_TYPES: ReadonlySet<string> = new Set(['m.fully_read', 'm.push_rules']);

export function isServerManagedType(type: string): boolean {
  return SERVER_MANAGED_TYPES.has(type);
}

export type AccountDataContent = Record<string, unknown>;

/**
 * One entry's content, or undefined when unset. `roomId` undefined means global.
 * "Servers must allow clients to read the above event types as normal": global
 * `m.push_rules` is the user's current push rules, kept by the push-rules service.
 */
export async function getAccountData(
  db: D1Database,
  userId: string,
  type: string,
  roomId?: string,
): Promise<AccountDataContent | undefined> {
  if (type === 'm.push_rules' && roomId === undefined) return getPushRules(db, userId);
  const json = await accountDataDb.findAccountData(db, userId, roomId ?? accountDataDb.GLOBAL_ROOM, type);
  return json === null ? undefined : (JSON.parse(json) as AccountDataContent);
}

/**
 * Stores one entry and returns the stream position it was written at (for waking /sync
 * once it exists). `roomId` undefined means global.
 */
export async function setAccountData(
  db: D1Database,
  e: { userId: string; type: string; content: AccountDataContent; roomId?: string },
): Promise<{ streamId: number }> {
  const streamId = await accountDataDb.upsertAccountData(db, {
    userId: e.userId,
    roomId: e.roomId ?? accountDataDb.GLOBAL_ROOM,
    type: e.type,
    contentJson: JSON.stringify(e.content),
  });
  return { streamId };
}

export interface AccountDataChange {
  /** undefined for global account data. */
  roomId: string | undefined;
  type: string;
  content: AccountDataContent;
  streamId: number;
}

/** A user's account data written after stream position `since`, oldest first (for /sync). */
export async function accountDataSince(
  db: D1Database,
  userId: string,
  since: number,
  limit = 1000,
): Promise<AccountDataChange[]> {
  const rows = await accountDataDb.listAccountDataSince(db, userId, since, limit);
  return rows.map((r) => ({
    roomId: r.room_id === accountDataDb.GLOBAL_ROOM ? undefined : r.room_id,
    type: r.type,
    content: JSON.parse(r.content) as AccountDataContent,
    streamId: r.stream_id,
  }));
}

/** The newest account-data stream position (0 before any write). */
export const currentAccountDataPosition = (db: D1Database) => accountDataDb.currentAccountDataPosition(db);
