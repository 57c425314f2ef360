// Timeline reads: /messages, /context, /event, /timestamp_to_event. Pages come from SQLite
// in topological order (depth, stream) with LIMIT; history visibility filters each event.
import { roomEventFilterAllows, type RoomEventFilter } from '../../../src/core/filters.js';
import { all } from '../store/sql.js';
import { getEventRow, IN_TIMELINE, maxTopological, type EventRow } from '../store/events.js';
import { groupStateMap, lookupInGroup } from '../store/state-groups.js';
import type { RoomStore } from '../store/room-store.js';
import { serializeEvents, rowsInOrder, type SerializeContext } from './client-event.js';
import { timelineAccess, VisibilityFilter } from './access.js';
import { before, formatToken, parseToken, type Position } from './tokens.js';
import type {
  ClientEvent,
  GetContextInput,
  GetContextResult,
  GetEventInput,
  GetEventResult,
  GetMessagesInput,
  GetMessagesResult,
  RoomFailure,
  TimestampToEventInput,
  TimestampToEventResult,
} from '../api.js';

const notFound = (error = 'Event not found.'): RoomFailure => ({ ok: false, errcode: 'M_NOT_FOUND', error });
const badToken = (name: string): RoomFailure => ({ ok: false, errcode: 'M_INVALID_PARAM', error: `${name} is not a valid pagination token` });

interface ScanInput {
  store: RoomStore;
  dir: 'b' | 'f';
  /** Exclusive bound in the direction of travel ('b': events <= from; 'f': events > from). */
  from: Position;
  to?: Position | undefined;
  limit: number;
  accept: (row: EventRow) => boolean;
}

interface ScanResult {
  rows: EventRow[];
  /** The last event looked at, for the next token; undefined when none was. */
  last?: EventRow;
  exhausted: boolean;
}

/** Reads the timeline in one direction until `limit` events pass `accept`, scanning at most 10x that. */
function scan(input: ScanInput): ScanResult {
  const { store, dir, limit } = input;
  const maxScan = Math.max(limit * 10, 100);
  const rows: EventRow[] = [];
  let cursor = input.from;
  let last: EventRow | undefined;
  let scanned = 0;
  const [cmp, order, toCmp] = dir === 'b' ? ['<=', 'DESC', '>'] : ['>', 'ASC', '<='];
  while (rows.length < limit && scanned < maxScan) {
    const batch = Math.min(Math.max(limit - rows.length, 20), 500);
    const toClause = input.to ? `AND (depth, stream) ${toCmp} (?, ?)` : '';
    const args: unknown[] = [cursor.depth, cursor.stream];
    if (input.to) args.push(input.to.depth, input.to.stream);
    const page = all<EventRow>(
      store.sql,
      `SELECT * FROM events WHERE ${IN_TIMELINE} AND (depth, stream) ${cmp} (?, ?) ${toClause}
       ORDER BY depth ${order}, stream ${order} LIMIT ?`,
      ...args,
      batch,
    );
    for (const row of page) {
      scanned++;
      last = row;
      if (input.accept(row)) rows.push(row);
      if (rows.length === limit) break;
    }
    if (page.length < batch && rows.length < limit) return { rows, last, exhausted: true };
    if (last) cursor = dir === 'b' ? before(last) : { depth: last.depth, stream: last.stream };
  }
  return { rows, last, exhausted: false };
}

function acceptor(store: RoomStore, asUser: string | undefined, filter: RoomEventFilter | undefined) {
  const visibility = asUser === undefined ? undefined : new VisibilityFilter(store, asUser);
  return (row: EventRow): boolean => {
    if (filter && !roomEventFilterAllows(filter, { type: row.type, sender: row.sender, content: contentForFilter(row, filter) })) {
      return false;
    }
    return visibility ? visibility.visible(row) : true;
  };
}

function contentForFilter(row: EventRow, filter: RoomEventFilter): Record<string, unknown> | undefined {
  if (filter.contains_url === undefined) return undefined;
  return (JSON.parse(row.json) as { content?: Record<string, unknown> }).content ?? {};
}

/**
 * The membership events of the senders of `rows`, as they were when the events were sent:
 * each sender's member event in the state at `at` (the point the response describes), or
 * else in the state before that sender's latest event here.
 */
function lazyMembers(ctx: SerializeContext, rows: readonly EventRow[], at?: EventRow): ClientEvent[] {
  const latestBySender = new Map<string, EventRow>();
  for (const row of rows) {
    const seen = latestBySender.get(row.sender);
    if (!seen || isLater(row, seen)) latestBySender.set(row.sender, row);
  }
  const ids = new Set<string>();
  for (const [sender, row] of latestBySender) {
    const fromAt = at?.sg_after != null ? lookupInGroup(ctx.store.sql, at.sg_after, 'm.room.member', sender) : undefined;
    const id = fromAt ?? (row.sg_before != null ? lookupInGroup(ctx.store.sql, row.sg_before, 'm.room.member', sender) : undefined);
    if (id !== undefined) ids.add(id);
  }
  return serializeEvents(ctx, rowsInOrder(ctx.store, [...ids]));
}

/** The whole room state after `at` ("the state of the room at the last event returned"). */
function stateAfter(ctx: SerializeContext, at: EventRow): ClientEvent[] {
  if (at.sg_after == null) return [];
  return serializeEvents(ctx, rowsInOrder(ctx.store, [...groupStateMap(ctx.store.sql, at.sg_after).values()]));
}

export function getMessages(store: RoomStore, input: GetMessagesInput, now: number): GetMessagesResult {
  const denied = timelineAccess(store, input.asUser);
  if (denied) return denied;
  const limit = clamp(input.limit ?? 10, 1, 1000);
  let from: Position;
  if (input.from !== undefined) {
    const p = parseToken(input.from);
    if (!p) return badToken('from');
    from = p;
  } else {
    from = input.dir === 'b' ? maxTopological(store.sql) : { depth: 0, stream: 0 };
  }
  let to: Position | undefined;
  if (input.to !== undefined) {
    to = parseToken(input.to);
    if (!to) return badToken('to');
  }
  const result = scan({ store, dir: input.dir, from, to, limit, accept: acceptor(store, input.asUser, input.filter) });
  const ctx: SerializeContext = { store, now, asUser: input.asUser, deviceId: input.deviceId, tokenHash: input.tokenHash };
  const chunk = serializeEvents(ctx, result.rows);
  const out: GetMessagesResult = { ok: true, chunk, start: formatToken(from), state: [] };
  if (!result.exhausted && result.last) {
    out.end = formatToken(input.dir === 'b' ? before(result.last) : result.last);
  }
  // "Relevant to showing the chunk": the senders' memberships at the newest event returned.
  if (input.filter?.lazy_load_members) out.state = lazyMembers(ctx, result.rows, newest(result.rows));
  return out;
}

export function getEvent(store: RoomStore, input: GetEventInput, now: number): GetEventResult {
  const row = getEventRow(store.sql, input.eventId);
  if (!row || row.rejected !== null || row.outlier !== 0) return notFound();
  if (input.asUser !== undefined && !new VisibilityFilter(store, input.asUser).visible(row)) return notFound();
  const [event] = serializeEvents({ store, now, asUser: input.asUser, deviceId: input.deviceId, tokenHash: input.tokenHash }, [row]);
  return { ok: true, event: event! };
}

export function getContext(store: RoomStore, input: GetContextInput, now: number): GetContextResult {
  const denied = timelineAccess(store, input.asUser);
  if (denied) return denied;
  const row = getEventRow(store.sql, input.eventId);
  if (!row || row.rejected !== null || row.outlier !== 0 || row.soft_failed !== 0) return notFound();
  const accept = acceptor(store, input.asUser, input.filter);
  const visibility = input.asUser === undefined ? undefined : new VisibilityFilter(store, input.asUser);
  if (visibility && !visibility.visible(row)) return notFound();
  const limit = clamp(input.limit ?? 10, 0, 100);
  const nBefore = Math.floor(limit / 2);
  const at: Position = { depth: row.depth, stream: row.stream };
  const b = nBefore === 0 ? { rows: [], exhausted: false } : scan({ store, dir: 'b', from: before(at), limit: nBefore, accept });
  const a = limit - nBefore === 0 ? { rows: [], exhausted: false } : scan({ store, dir: 'f', from: at, limit: limit - nBefore, accept });
  const ctx: SerializeContext = { store, now, asUser: input.asUser, deviceId: input.deviceId, tokenHash: input.tokenHash };
  const [event] = serializeEvents(ctx, [row]);
  const eventsBefore = serializeEvents(ctx, b.rows);
  const eventsAfter = serializeEvents(ctx, a.rows);
  const firstBefore = b.rows[b.rows.length - 1];
  const lastAfter = a.rows[a.rows.length - 1];
  return {
    ok: true,
    event: event!,
    events_before: eventsBefore,
    events_after: eventsAfter,
    start: formatToken(before(firstBefore ?? row)),
    end: formatToken(lastAfter ?? row),
    // "The state of the room at the last event returned"; only the senders' memberships when
    // members are lazy-loaded.
    state: input.filter?.lazy_load_members ? lazyMembers(ctx, [row, ...b.rows, ...a.rows], lastAfter ?? row) : stateAfter(ctx, lastAfter ?? row),
  };
}

export function timestampToEvent(store: RoomStore, input: TimestampToEventInput): TimestampToEventResult {
  const denied = timelineAccess(store, input.asUser);
  if (denied) return denied;
  const visibility = input.asUser === undefined ? undefined : new VisibilityFilter(store, input.asUser);
  const [cmp, order] = input.dir === 'f' ? ['>=', 'ASC'] : ['<=', 'DESC'];
  // Look at a bounded number of candidates, nearest first, for one the user may see.
  const rows = all<EventRow>(
    store.sql,
    `SELECT * FROM events WHERE ${IN_TIMELINE} AND origin_server_ts ${cmp} ? ORDER BY origin_server_ts ${order}, stream ${order} LIMIT 100`,
    input.ts,
  );
  const found = rows.find((r) => !visibility || visibility.visible(r));
  if (!found) return notFound(`Unable to find event from ${input.ts} in direction ${input.dir}`);
  return { ok: true, event_id: found.event_id, origin_server_ts: found.origin_server_ts };
}

export function currentPosition(store: RoomStore): Position {
  return maxTopological(store.sql);
}

/** Topological order: (depth, stream). */
const isLater = (a: Position, b: Position): boolean => a.depth > b.depth || (a.depth === b.depth && a.stream > b.stream);

function newest(rows: readonly EventRow[]): EventRow | undefined {
  let best: EventRow | undefined;
  for (const r of rows) if (!best || isLater(r, best)) best = r;
  return best;
}

export function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, Math.floor(Number.isFinite(n) ? n : lo)));
}

