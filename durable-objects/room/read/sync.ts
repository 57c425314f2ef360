// One room's part of a /sync response for one user (`Room.syncRoom`): the user's membership
// at the upper bound decides the section (join, leave, invite, knock); a joined room gets its
// timeline since `from` (newest `limit` events the user may see, "limited" when more exist),
// its state (read/sync-state.ts), summary and ephemeral events. Bounded by `to`, so that the
// answer matches exactly the position of the user's sync stream it is given for.
import { roomEventFilterAllows, type RoomEventFilter } from '../../../src/core/filters.js';
import { lazyMemberUsers } from '../../../src/core/sync/lazy.js';
import { receiptContent } from '../../../src/core/sync/receipts.js';
import { needsHeroes, pickHeroes, type HeroCandidate } from '../../../src/core/sync/summary.js';
import { all, first } from '../store/sql.js';
import { getEventRow, IN_TIMELINE, maxStream, type EventRow } from '../store/events.js';
import { countMembers, memberRow } from '../store/current-state.js';
import { maxReceiptStream, receiptsBetween } from '../store/receipts.js';
import { setListener } from '../store/sync.js';
import type { RoomStore } from '../store/room-store.js';
import type { TypingState } from '../typing.js';
import { VisibilityFilter } from './access.js';
import { serializeEvents } from './client-event.js';
import { stateSection, stateViewAfter, stateViewAt, type StateView } from './sync-state.js';
import { before, formatToken } from './tokens.js';
import type { ClientEvent } from '../api.js';
import type {
  RoomSummary,
  StrippedStateEvent,
  SubscribeSyncInput,
  SubscribeSyncResult,
  SyncRoomData,
  SyncRoomInput,
  SyncRoomResult,
  SyncTimeline,
} from '../sync-api.js';

/** How many receipts one response carries at most (the newest). */
const RECEIPT_LIMIT = 1000;

/** "The stripped state SHOULD include" these, for invites and knocks (client-server "Stripped state"). */
const STRIPPED_TYPES = [
  'm.room.create',
  'm.room.name',
  'm.room.avatar',
  'm.room.topic',
  'm.room.join_rules',
  'm.room.canonical_alias',
  'm.room.encryption',
] as const;

export interface SyncReadContext {
  store: RoomStore;
  now: number;
  typing: TypingState;
}

interface MemberAt {
  membership: string;
  eventId: string;
  stream: number;
}

/** The user's membership as of room stream `at` (the members table when `at` is now). */
function membershipAt(store: RoomStore, userId: string, at: number, max: number): MemberAt | undefined {
  if (at >= max) {
    const row = memberRow(store.sql, userId);
    return row && { membership: row.membership, eventId: row.event_id, stream: row.stream };
  }
  const row = first<{ membership: string | null; event_id: string; stream: number }>(
    store.sql,
    `SELECT membership, event_id, stream FROM events WHERE type = 'm.room.member' AND state_key = ? AND ${IN_TIMELINE} AND stream <= ?
     ORDER BY stream DESC LIMIT 1`,
    userId,
    at,
  );
  return row && row.membership !== null ? { membership: row.membership, eventId: row.event_id, stream: row.stream } : undefined;
}

function contentOf(row: EventRow): Record<string, unknown> {
  return (JSON.parse(row.json) as { content?: Record<string, unknown> }).content ?? {};
}

/**
 * The newest `limit` events in (lower, upper] that pass the filter and the user may see,
 * oldest first; `limited` when there are more such events (or more left unscanned).
 */
function scanTimeline(store: RoomStore, userId: string, lower: number, upper: number, limit: number, filter: RoomEventFilter | undefined) {
  const visibility = new VisibilityFilter(store, userId);
  const accept = (row: EventRow) =>
    (!filter || roomEventFilterAllows(filter, { type: row.type, sender: row.sender, content: filter.contains_url === undefined ? undefined : contentOf(row) })) &&
    visibility.visible(row);
  const want = limit + 1;
  const maxScan = Math.max(10 * want, 200);
  const found: EventRow[] = [];
  let cursor = upper;
  let scanned = 0;
  let exhausted = false;
  while (found.length < want && scanned < maxScan) {
    const batch = Math.min(500, Math.max(want - found.length, 50));
    const page = all<EventRow>(
      store.sql,
      `SELECT * FROM events WHERE ${IN_TIMELINE} AND stream > ? AND stream <= ? ORDER BY stream DESC LIMIT ?`,
      lower,
      cursor,
      batch,
    );
    for (const row of page) {
      scanned++;
      cursor = row.stream - 1;
      if (accept(row)) found.push(row);
      if (found.length === want) break;
    }
    if (page.length < batch) {
      exhausted = true;
      break;
    }
  }
  const limited = found.length > limit || (!exhausted && found.length < want);
  return { rows: found.slice(0, limit).reverse(), limited };
}

/** A /messages token for just after the newest timeline event at or before `at`. */
function tokenAt(store: RoomStore, at: number): string | undefined {
  const row = first<{ depth: number; stream: number }>(
    store.sql,
    `SELECT depth, stream FROM events WHERE ${IN_TIMELINE} AND stream <= ? ORDER BY stream DESC LIMIT 1`,
    at,
  );
  return row ? formatToken(row) : undefined;
}

function serialize(store: RoomStore, now: number, input: SyncRoomInput, rows: readonly EventRow[]): ClientEvent[] {
  // Sync events are ClientEventWithoutRoomID: the room is the key they sit under.
  const ctx = { store, now, asUser: input.userId, deviceId: input.deviceId, tokenHash: input.tokenHash };
  return serializeEvents(ctx, rows).map(({ room_id: _roomId, ...event }) => event as ClientEvent);
}

function summaryOf(store: RoomStore, userId: string, base: StateView): RoomSummary {
  const { sql } = store;
  const summary: RoomSummary = { 'm.joined_member_count': countMembers(sql, 'join'), 'm.invited_member_count': countMembers(sql, 'invite') };
  const nameId = base.get('m.room.name', '');
  const aliasId = base.get('m.room.canonical_alias', '');
  const name = nameId === undefined ? undefined : store.authEvent(nameId)?.content.name;
  const alias = aliasId === undefined ? undefined : store.authEvent(aliasId)?.content.alias;
  if (needsHeroes(name, alias)) {
    const pick = (memberships: string) =>
      all<{ user_id: string; membership: string; stream: number }>(
        sql,
        `SELECT user_id, membership, stream FROM members WHERE membership IN (SELECT value FROM json_each(?)) AND user_id != ? ORDER BY stream LIMIT 6`,
        memberships,
        userId,
      ).map((r): HeroCandidate => ({ userId: r.user_id, membership: r.membership, stream: r.stream }));
    let candidates = pick('["join","invite"]');
    if (candidates.length === 0) candidates = pick('["leave","ban"]');
    summary['m.heroes'] = pickHeroes(candidates, userId);
  }
  return summary;
}

function strippedState(store: RoomStore, base: StateView, member: MemberAt): StrippedStateEvent[] {
  const ids = [...STRIPPED_TYPES.map((t) => base.get(t, '')), member.eventId].filter((id): id is string => id !== undefined);
  return ids
    .map((id) => store.authEvent(id))
    .filter((e) => e !== undefined)
    .map((e) => ({ type: e.type, state_key: e.stateKey ?? '', content: e.content, sender: e.sender }));
}

/** Timeline + state for a joined or left room between `lower` and `upper`. */
function timelineAndState(
  ctx: SyncReadContext,
  input: SyncRoomInput,
  lower: number,
  upper: number,
  base: StateView,
  full: boolean,
  heroes: readonly string[],
) {
  const { store, now } = ctx;
  const tl = scanTimeline(store, input.userId, lower, upper, input.timeline.limit, input.timeline.filter);
  const lazyOn = input.state?.lazyLoadMembers === true;
  const lazy = lazyOn
    ? {
        users: lazyMemberUsers({ timelineSenders: tl.rows.map((r) => r.sender), heroes, self: input.userId, includeSelf: full }),
        known: new Map(Object.entries(full ? {} : (input.state?.knownMembers ?? {}))),
        requiredUsers: new Set(full ? [input.userId] : []),
      }
    : undefined;
  const state = stateSection({ store, base, timeline: tl.rows, full, from: lower, to: upper, filter: input.state?.filter, lazy });
  const first = tl.rows[0];
  const prevBatch = first ? formatToken(before(first)) : tokenAt(store, upper);
  const timeline: SyncTimeline = { events: serialize(store, now, input, tl.rows), limited: tl.limited };
  if (prevBatch !== undefined) timeline.prev_batch = prevBatch;
  return { timeline, state: serialize(store, now, input, state.rows), lazyMembers: lazyOn ? state.lazyMembers : undefined };
}

export function syncRoom(ctx: SyncReadContext, input: SyncRoomInput): SyncRoomResult {
  const { store, now } = ctx;
  const { sql } = store;
  if (input.listenUntil !== undefined) setListener(sql, input.userId, input.listenUntil);
  const max = maxStream(sql);
  const to = Math.min(input.to ?? max, max);
  const member = membershipAt(store, input.userId, to, max);
  const receiptStream = Math.min(input.receipts?.to ?? Number.MAX_SAFE_INTEGER, maxReceiptStream(sql));
  const data: SyncRoomData = {
    membership: member?.membership ?? null,
    section: { kind: 'none' },
    stream: to,
    receiptStream,
    typingStream: ctx.typing.serial,
  };
  if (!member) return { ok: true, room: data };
  const from = input.from;
  const changed = from === undefined || member.stream > from;
  // Whether the client already had the room as a joined one: if not, it gets the full state.
  const wasJoined = from !== undefined && membershipAt(store, input.userId, from, max)?.membership === 'join';
  const full = from === undefined || input.fullState === true || !wasJoined;

  switch (member.membership) {
    case 'join': {
      const base = stateViewAt(store, to, max);
      const summary = summaryOf(store, input.userId, base);
      // A room the client did not have as joined gets its recent history, as on an initial sync.
      const { timeline, state, lazyMembers } = timelineAndState(ctx, input, wasJoined ? from! : 0, to, base, full, summary['m.heroes'] ?? []);
      data.section = { kind: 'join', timeline, state, summary };
      if (input.typing) data.section.typing = ctx.typing.users(now);
      if (input.receipts) {
        const rows = receiptsBetween(sql, input.receipts.from ?? 0, receiptStream, RECEIPT_LIMIT);
        const content = receiptContent(
          rows.map((r) => ({ userId: r.user_id, type: r.receipt_type, threadId: r.thread_id, eventId: r.event_id, ts: r.ts })),
          input.userId,
        );
        if (content) data.section.receipts = content;
      }
      if (lazyMembers) data.lazyMembers = lazyMembers;
      break;
    }
    case 'leave':
    case 'ban': {
      if (!changed) break;
      const leave = getEventRow(sql, member.eventId);
      if (!leave) break;
      const { timeline, state, lazyMembers } = timelineAndState(ctx, input, from ?? 0, Math.min(to, member.stream), stateViewAfter(store, leave), full, []);
      data.section = { kind: 'leave', timeline, state };
      if (lazyMembers) data.lazyMembers = lazyMembers;
      break;
    }
    case 'invite':
    case 'knock': {
      if (!changed) break;
      const strippedStateEvents = strippedState(store, stateViewAt(store, to, max), member);
      data.section = { kind: member.membership, strippedState: strippedStateEvents };
      break;
    }
    default:
      break;
  }
  return { ok: true, room: data };
}

/** A User object renews its lease and learns the positions it may have missed. */
export function subscribeSync(store: RoomStore, typing: TypingState, input: SubscribeSyncInput): SubscribeSyncResult {
  const { sql } = store;
  setListener(sql, input.userId, input.untilTs);
  const m = memberRow(sql, input.userId);
  return {
    ok: true,
    stream: maxStream(sql),
    receiptStream: maxReceiptStream(sql),
    typingStream: typing.serial,
    membership: m?.membership ?? null,
    membershipStream: m?.stream ?? 0,
  };
}
