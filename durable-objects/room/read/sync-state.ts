// The `state` section of a room in /sync, computed against a view of the room state at the
// response's upper bound (the current_state table in the common case, a state group
// otherwise). Keys the timeline changes are rewound to their value at the start of the
// timeline ("Updates to the state, between the time indicated by the since parameter, and
// the start of the timeline"), so state + timeline replay to the state at the end.
import { roomEventFilterAllows, type RoomEventFilter } from '../../../src/core/filters.js';
import { dropRedundantMembers } from '../../../src/core/sync/lazy.js';
import { all, first } from '../store/sql.js';
import { getEventRows, IN_TIMELINE, type EventRow } from '../store/events.js';
import { currentStateEventId } from '../store/current-state.js';
import { lookupInGroup, pageGroupState } from '../store/state-groups.js';
import type { RoomStore } from '../store/room-store.js';

const MEMBER = 'm.room.member';

/** The room state at one point, read lazily. */
export interface StateView {
  get(type: string, key: string): string | undefined;
  /** Every (type, state_key, event_id), members included or not. */
  entries(withMembers: boolean): Iterable<readonly [string, string, string]>;
}

function currentStateView(store: RoomStore): StateView {
  const { sql } = store;
  return {
    get: (type, key) => currentStateEventId(sql, type, key),
    entries: (withMembers) =>
      sql
        .exec(`SELECT type, state_key, event_id FROM current_state ${withMembers ? '' : "WHERE type != 'm.room.member'"}`)
        .raw<[string, string, string]>(),
  };
}

function groupStateView(store: RoomStore, group: number | null): StateView {
  const { sql } = store;
  return {
    get: (type, key) => (group === null ? undefined : lookupInGroup(sql, group, type, key)),
    *entries(withMembers) {
      if (group === null) return;
      let after: [string, string] | undefined;
      do {
        const page = pageGroupState(sql, group, { after, limit: 5000 });
        for (const e of page.entries) if (withMembers || e[0] !== MEMBER) yield e;
        after = page.next;
      } while (after);
    },
  };
}

/** The state after the last timeline event at or before room stream `at`. */
export function stateViewAt(store: RoomStore, at: number, maxStream: number): StateView {
  if (at >= maxStream) return currentStateView(store);
  const row = first<{ sg_after: number | null }>(
    store.sql,
    `SELECT sg_after FROM events WHERE ${IN_TIMELINE} AND stream <= ? ORDER BY stream DESC LIMIT 1`,
    at,
  );
  return groupStateView(store, row?.sg_after ?? null);
}

/** The state right after one event (e.g. a leave: the room as the user last saw it). */
export const stateViewAfter = (store: RoomStore, row: EventRow): StateView => groupStateView(store, row.sg_after);

export interface StateSectionInput {
  store: RoomStore;
  /** The state at the upper bound of the response. */
  base: StateView;
  /** The timeline being returned, oldest first. */
  timeline: readonly EventRow[];
  /** All state up to the start of the timeline (initial sync, full_state, a new join). */
  full: boolean;
  /** The room stream the client had (for a delta); ignored when `full`. */
  from: number;
  to: number;
  filter?: RoomEventFilter | undefined;
  /** Lazy loading: the users whose member events the timeline needs; absent = all members. */
  lazy?: { users: readonly string[]; known: ReadonlyMap<string, string>; requiredUsers: ReadonlySet<string> } | undefined;
}

export interface StateSection {
  rows: EventRow[];
  /** Member events included by lazy loading (user → event ID). */
  lazyMembers: Record<string, string>;
}

export function stateSection(input: StateSectionInput): StateSection {
  const { store, base, timeline, lazy } = input;
  const { sql } = store;
  const inTimeline = new Set(timeline.map((r) => r.event_id));
  const touched = new Set<string>();
  for (const r of timeline) if (r.state_key !== null) touched.add(JSON.stringify([r.type, r.state_key]));
  const startGroup = timeline[0]?.sg_before ?? null;
  const startValue = (type: string, key: string): string | undefined =>
    touched.has(JSON.stringify([type, key])) ? (startGroup === null ? undefined : lookupInGroup(sql, startGroup, type, key)) : base.get(type, key);

  const ids = new Set<string>();
  const gapMembers: Record<string, string> = {};
  if (input.full) {
    for (const [type, key, id] of base.entries(lazy === undefined)) if (!touched.has(JSON.stringify([type, key]))) ids.add(id);
    for (const k of touched) {
      const [type, key] = JSON.parse(k) as [string, string];
      if (lazy && type === MEMBER) continue;
      const v = startValue(type, key);
      if (v !== undefined) ids.add(v);
    }
  } else {
    // State events since `from` that are still the state at the start of the timeline (or at
    // the end, for keys the timeline does not touch): the gap, and events a filter kept out
    // of the timeline. "When a sync is limited, the server MUST return membership events for
    // events in the gap": members are kept here whatever lazy loading says.
    const candidates = all<{ event_id: string; type: string; state_key: string }>(
      sql,
      `SELECT event_id, type, state_key FROM events WHERE ${IN_TIMELINE} AND state_key IS NOT NULL AND stream > ? AND stream <= ?`,
      input.from,
      input.to,
    );
    for (const c of candidates) {
      if (inTimeline.has(c.event_id) || startValue(c.type, c.state_key) !== c.event_id) continue;
      ids.add(c.event_id);
      if (c.type === MEMBER) gapMembers[c.state_key] = c.event_id;
    }
  }

  const lazyMembers: Record<string, string> = lazy ? gapMembers : {};
  if (lazy) {
    const wanted: { userId: string; eventId: string }[] = [];
    for (const userId of lazy.users) {
      const eventId = startValue(MEMBER, userId);
      if (eventId !== undefined && !inTimeline.has(eventId)) wanted.push({ userId, eventId });
    }
    const required = new Set(wanted.filter((m) => lazy.requiredUsers.has(m.userId)).map((m) => m.eventId));
    for (const m of dropRedundantMembers(wanted, lazy.known, required)) {
      ids.add(m.eventId);
      lazyMembers[m.userId] = m.eventId;
    }
  }
  for (const id of inTimeline) ids.delete(id);

  const rows = [...getEventRows(sql, [...ids]).values()]
    .filter((r) => !input.filter || roomEventFilterAllows(input.filter, { type: r.type, sender: r.sender }))
    .sort((a, b) => a.stream - b.stream);
  return { rows, lazyMembers };
}
