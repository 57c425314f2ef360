// The account data of a /sync response: global events at the top level, per-room events in
// their rooms. "When a user changes their push rules a m.push_rules event is sent to all
// clients in the account_data section"; an initial sync carries the current push rules even
// for a user who never changed one.
import { filterEvents } from '../../core/sync/filter.js';
import { accountDataSince } from '../account-data.js';
import { getPushRules } from '../push-rules.js';
import type { BasicEvent, SyncRequest } from './types.js';

const PAGE = 1000;

export interface AccountDataSection {
  global: BasicEvent[];
  rooms: Map<string, BasicEvent[]>;
  /** The newest account-data position read (what the client holds once it has these). */
  position: number;
}

/** Account data written after position `since` (absent: all of it). */
export async function accountDataSection(req: SyncRequest, since: number | undefined): Promise<AccountDataSection> {
  const db = req.deps.env.DB;
  const userId = req.requester.userId;
  const global: BasicEvent[] = [];
  const rooms = new Map<string, BasicEvent[]>();
  let after = since ?? 0;
  let position = after;
  for (;;) {
    const page = await accountDataSince(db, userId, after, PAGE);
    for (const c of page) {
      const event = { type: c.type, content: c.content };
      if (c.roomId === undefined) global.push(event);
      else rooms.set(c.roomId, [...(rooms.get(c.roomId) ?? []), event]);
      position = Math.max(position, c.streamId);
    }
    if (page.length < PAGE) break;
    after = page[page.length - 1]!.streamId;
  }
  if (since === undefined && !global.some((e) => e.type === 'm.push_rules')) {
    global.push({ type: 'm.push_rules', content: await getPushRules(db, userId) });
  }
  return { global: filterEvents(global, req.view.accountData), rooms, position };
}

/**
 * End-to-end encryption fields: "filled by the E2EE work" (one-time key counts, fallback key
 * types, device list changes). Present and correctly shaped until then; Synapse likewise
 * always reports `signed_curve25519`, which clients read to decide whether to upload keys.
 */
export function e2eeFields(): { device_one_time_keys_count: Record<string, number>; device_unused_fallback_key_types: string[] } {
  return { device_one_time_keys_count: { signed_curve25519: 0 }, device_unused_fallback_key_types: [] };
}
