// State reads: one state event, the current state in pages, the state at an event, and the
// member lists. Large states are paged from SQLite (keyset on (type, state_key) or user ID),
// never loaded whole.
import { all, first } from '../store/sql.js';
import { getEventRow, getEventRows, type EventRow } from '../store/events.js';
import { currentStateEventId, pageMembers, type MemberRow } from '../store/current-state.js';
import { lookupInGroup, pageGroupState } from '../store/state-groups.js';
import type { RoomStore } from '../store/room-store.js';
import { serializeEvents, rowsInOrder, type SerializeContext } from './client-event.js';
import { stateAccess, VisibilityFilter } from './access.js';
import { decodeCursor, encodeCursor, isKeyPair, isString, parseToken } from './tokens.js';
import { clamp } from './timeline.js';
import type {
  GetJoinedMembersInput,
  GetJoinedMembersResult,
  GetMembersInput,
  GetMembersResult,
  GetStateAtInput,
  GetStateEventInput,
  GetStateEventResult,
  RoomFailure,
  StatePageInput,
  StatePageResult,
} from '../api.js';

const badCursor: RoomFailure = { ok: false, errcode: 'M_INVALID_PARAM', error: 'from is not a valid cursor' };

export function getStateEvent(store: RoomStore, input: GetStateEventInput, now: number): GetStateEventResult {
  const access = stateAccess(store, input.asUser);
  if (!access.ok) return access;
  const id =
    access.group === 'current'
      ? currentStateEventId(store.sql, input.type, input.stateKey)
      : lookupInGroup(store.sql, access.group, input.type, input.stateKey);
  const row = id === undefined ? undefined : getEventRow(store.sql, id);
  if (!row) return { ok: false, errcode: 'M_NOT_FOUND', error: 'Event not found.' };
  const [event] = serializeEvents({ store, now, asUser: input.asUser, deviceId: input.deviceId, tokenHash: input.tokenHash }, [row]);
  return { ok: true, event: event! };
}

export function getCurrentState(store: RoomStore, input: StatePageInput, now: number): StatePageResult {
  const access = stateAccess(store, input.asUser);
  if (!access.ok) return access;
  return statePage(store, access.group, input, now);
}

export function getStateAt(store: RoomStore, input: GetStateAtInput, now: number): StatePageResult {
  const row = getEventRow(store.sql, input.eventId);
  if (!row || row.rejected !== null) return { ok: false, errcode: 'M_NOT_FOUND', error: 'Event not found.' };
  if (input.asUser !== undefined && !new VisibilityFilter(store, input.asUser).visible(row)) {
    return { ok: false, errcode: 'M_NOT_FOUND', error: 'Event not found.' };
  }
  const group = input.after ? row.sg_after : row.sg_before;
  if (group === null) return { ok: true, events: [] };
  return statePage(store, group, input, now);
}

function statePage(store: RoomStore, group: number | 'current', input: StatePageInput, now: number): StatePageResult {
  const limit = clamp(input.limit ?? 1000, 1, 5000);
  let after: [string, string] | undefined;
  if (input.from !== undefined) {
    after = decodeCursor(input.from, isKeyPair);
    if (!after) return badCursor;
  }
  const ctx: SerializeContext = { store, now, asUser: input.asUser, deviceId: input.deviceId, tokenHash: input.tokenHash };
  if (group === 'current') {
    const rows = all<EventRow & { cs_type: string; cs_key: string }>(
      store.sql,
      `SELECT e.*, cs.type AS cs_type, cs.state_key AS cs_key FROM current_state cs CROSS JOIN events e ON e.event_id = cs.event_id
       WHERE (cs.type, cs.state_key) ${after ? '>' : '>='} (?, ?) ORDER BY cs.type, cs.state_key LIMIT ?`,
      after?.[0] ?? '',
      after?.[1] ?? '',
      limit + 1,
    );
    const more = rows.length > limit;
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    const events = serializeEvents(ctx, page);
    return more && last ? { ok: true, events, next: encodeCursor([last.cs_type, last.cs_key]) } : { ok: true, events };
  }
  const page = pageGroupState(store.sql, group, { after, limit });
  const events = serializeEvents(ctx, rowsInOrder(store, page.entries.map((e) => e[2])));
  return page.next ? { ok: true, events, next: encodeCursor(page.next) } : { ok: true, events };
}

/** The state group at a /messages token: after the last timeline event at or before it. */
function groupAtToken(store: RoomStore, token: string): number | null | undefined {
  const p = parseToken(token);
  if (!p) return undefined;
  const row = first<{ sg_after: number | null }>(
    store.sql,
    `SELECT sg_after FROM events WHERE rejected IS NULL AND soft_failed = 0 AND outlier = 0 AND (depth, stream) <= (?, ?)
     ORDER BY depth DESC, stream DESC LIMIT 1`,
    p.depth,
    p.stream,
  );
  return row?.sg_after ?? null;
}

export function getMembers(store: RoomStore, input: GetMembersInput, now: number): GetMembersResult {
  const access = stateAccess(store, input.asUser);
  if (!access.ok) return access;
  const limit = clamp(input.limit ?? 1000, 1, 5000);
  let after: string | undefined;
  if (input.from !== undefined) {
    after = decodeCursor(input.from, isString);
    if (after === undefined) return badCursor;
  }
  let group = access.group;
  // A former member sees the list as it was when they left, whatever `at` says.
  if (input.at !== undefined && group === 'current') {
    const g = groupAtToken(store, input.at);
    if (g === undefined) return { ok: false, errcode: 'M_INVALID_PARAM', error: 'at is not a valid token' };
    if (g === null) return { ok: true, chunk: [] };
    group = g;
  }
  const ctx: SerializeContext = { store, now, asUser: input.asUser, deviceId: input.deviceId, tokenHash: input.tokenHash };
  if (group === 'current') {
    const rows = pageMembers(store.sql, { after, membership: input.membership, notMembership: input.notMembership, limit: limit + 1 });
    const page = rows.slice(0, limit);
    const chunk = serializeEvents(ctx, rowsInOrder(store, page.map((r) => r.event_id)));
    const last = page[page.length - 1];
    return rows.length > limit && last ? { ok: true, chunk, next: encodeCursor(last.user_id) } : { ok: true, chunk };
  }
  const page = pageGroupState(store.sql, group, {
    type: 'm.room.member',
    after: after === undefined ? undefined : ['m.room.member', after],
    limit,
  });
  const rows = getEventRows(
    store.sql,
    page.entries.map((e) => e[2]),
  );
  const chosen = page.entries
    .map((e) => rows.get(e[2]))
    .filter((r): r is EventRow => r !== undefined)
    .filter((r) => (input.membership === undefined || r.membership === input.membership) && (input.notMembership === undefined || r.membership !== input.notMembership));
  const chunk = serializeEvents(ctx, chosen);
  return page.next ? { ok: true, chunk, next: encodeCursor(page.next[1]) } : { ok: true, chunk };
}

export function getJoinedMembers(store: RoomStore, input: GetJoinedMembersInput): GetJoinedMembersResult {
  const access = stateAccess(store, input.asUser);
  if (!access.ok) return access;
  if (access.group !== 'current') return { ok: false, errcode: 'M_FORBIDDEN', error: 'You are not in the room.' };
  const limit = clamp(input.limit ?? 5000, 1, 10000);
  let after: string | undefined;
  if (input.from !== undefined) {
    after = decodeCursor(input.from, isString);
    if (after === undefined) return badCursor;
  }
  const rows: MemberRow[] = pageMembers(store.sql, { after, membership: 'join', limit: limit + 1 });
  const joined: Record<string, { display_name?: string; avatar_url?: string }> = {};
  for (const r of rows.slice(0, limit)) {
    const entry: { display_name?: string; avatar_url?: string } = {};
    if (r.displayname !== null) entry.display_name = r.displayname;
    if (r.avatar_url !== null) entry.avatar_url = r.avatar_url;
    joined[r.user_id] = entry;
  }
  const last = rows[limit - 1];
  return rows.length > limit && last ? { ok: true, joined, next: encodeCursor(last.user_id) } : { ok: true, joined };
}
