// State groups: the state before (and after) every event without replaying history, as in
// Synapse. Each group stores a delta against an ancestor group, and that ancestor is chosen
// by "skip deltas" (binary lifting) rather than a snapshot every N groups: a group at
// position p (counted from the root group of the room) stores every change since its
// ancestor at position p with the lowest set bit cleared. A lookup therefore walks at most
// popcount(p) ≤ log2(p) groups, and each state change costs on average about log2(p)/2 rows,
// where full snapshots every 50 groups would copy the whole state (85k rows in a big room)
// every 50 state events. A NULL event_id in a delta means the key was removed.
import { compareCodePoints } from '../../../src/core/json/canonical.js';
import { stateKey, type StateKey } from '../../../src/core/events/types.js';
import { all, first, jsonList, run, type Sql } from './sql.js';

export interface GroupRow {
  [column: string]: SqlStorageValue;
  id: number;
  parent: number | null;
  base: number | null;
  pos: number;
}

export type StateChange = readonly [type: string, stateKey: string, eventId: string | null];
export type StateEntry = readonly [type: string, stateKey: string, eventId: string];

function getGroup(sql: Sql, id: number): GroupRow {
  const row = first<GroupRow>(sql, 'SELECT * FROM state_groups WHERE id = ?', id);
  if (!row) throw new Error(`state group ${id} is missing`);
  return row;
}

/** The groups whose deltas make up `id`, newest (highest pos) first, ending at the root. */
export function groupChain(sql: Sql, id: number): GroupRow[] {
  const chain: GroupRow[] = [];
  let group: GroupRow | undefined = getGroup(sql, id);
  while (group) {
    chain.push(group);
    group = group.base === null ? undefined : getGroup(sql, group.base);
  }
  return chain;
}

/** A new group: the state of `parent` with `changes` applied (a root group when parent is null). */
export function createGroup(sql: Sql, parent: number | null, changes: readonly StateChange[]): number {
  const id = (first<{ m: number | null }>(sql, 'SELECT MAX(id) AS m FROM state_groups')?.m ?? 0) + 1;
  if (parent === null) {
    run(sql, 'INSERT INTO state_groups (id, parent, base, pos) VALUES (?, NULL, NULL, 0)', id);
    for (const [type, key, eventId] of changes) {
      if (eventId !== null) insertEntry(sql, id, type, key, eventId);
    }
    return id;
  }
  const parentRow = getGroup(sql, parent);
  const pos = parentRow.pos + 1;
  const basePos = pos & (pos - 1);
  // The parent's chain passes through position basePos: merge the deltas above it.
  const merged: number[] = [];
  let group = parentRow;
  while (group.pos > basePos) {
    merged.push(group.id);
    group = getGroup(sql, group.base!);
  }
  run(sql, 'INSERT INTO state_groups (id, parent, base, pos) VALUES (?, ?, ?, ?)', id, parent, group.id, pos);
  // SQLite takes the bare column event_id from the row holding MAX(pos): the newest delta wins.
  run(
    sql,
    `INSERT INTO state_group_entries (group_id, type, state_key, event_id)
     SELECT ?, type, state_key, event_id FROM (
       SELECT e.type, e.state_key, e.event_id, MAX(g.pos) FROM json_each(?) j
       CROSS JOIN state_groups g ON g.id = j.value
       CROSS JOIN state_group_entries e ON e.group_id = g.id
       GROUP BY e.type, e.state_key)`,
    id,
    jsonList(merged),
  );
  for (const [type, key, eventId] of changes) insertEntry(sql, id, type, key, eventId);
  return id;
}

function insertEntry(sql: Sql, group: number, type: string, key: string, eventId: string | null): void {
  run(sql, 'INSERT OR REPLACE INTO state_group_entries (group_id, type, state_key, event_id) VALUES (?, ?, ?, ?)', group, type, key, eventId);
}

/**
 * The groups of a chain, as a recursive CTE over the base pointers (one statement). CROSS
 * JOIN fixes the loop order (the chain outside) whatever SQLite guesses about table sizes.
 */
const CHAIN = `WITH RECURSIVE chain(id, pos, base) AS (
  SELECT id, pos, base FROM state_groups WHERE id = ?
  UNION ALL SELECT g.id, g.pos, g.base FROM chain c CROSS JOIN state_groups g ON g.id = c.base)`;

/** The event at (type, stateKey) in the group's state. */
export function lookupInGroup(sql: Sql, group: number, type: string, key: string): string | undefined {
  const row = first<{ event_id: string | null }>(
    sql,
    `${CHAIN} SELECT e.event_id FROM chain c CROSS JOIN state_group_entries e ON e.group_id = c.id AND e.type = ? AND e.state_key = ?
     ORDER BY c.pos DESC LIMIT 1`,
    group,
    type,
    key,
  );
  return row?.event_id ?? undefined;
}

/** The whole state of a group in memory (for state resolution; reads page with `pageGroupState`). */
export function groupStateMap(sql: Sql, group: number): Map<StateKey, string> {
  const map = new Map<StateKey, string>();
  const rows = sql
    .exec(
      `${CHAIN} SELECT type, state_key, event_id FROM (
         SELECT e.type, e.state_key, e.event_id, MAX(c.pos) FROM chain c CROSS JOIN state_group_entries e ON e.group_id = c.id
         GROUP BY e.type, e.state_key)`,
      group,
    )
    .raw<[string, string, string | null]>();
  for (const [type, key, eventId] of rows) if (eventId !== null) map.set(stateKey(type, key), eventId);
  return map;
}

const compareKeys = (a: readonly [string, string], b: readonly [string, string]): number =>
  compareCodePoints(a[0], b[0]) || compareCodePoints(a[1], b[1]);

export interface StatePage {
  entries: StateEntry[];
  /** Where the next page starts (exclusive), absent on the last page. */
  next?: [string, string];
}

/**
 * One page of a group's state in (type, state_key) order, reading at most `limit` rows of
 * each group in the chain: every key up to the smallest "last key" of a truncated group is
 * complete, so the page ends there. SQLite's BINARY order is code-point order, as is
 * compareCodePoints.
 */
export function pageGroupState(
  sql: Sql,
  group: number,
  opts: { after?: readonly [string, string] | undefined; type?: string | undefined; limit: number },
): StatePage {
  const chain = groupChain(sql, group);
  const after = opts.after ?? (['', ''] as const);
  const inclusive = opts.after === undefined;
  let cutoff: [string, string] | undefined;
  const best = new Map<StateKey, { type: string; key: string; eventId: string | null; pos: number }>();
  for (const g of chain) {
    const cmp = inclusive ? '>=' : '>';
    const rows =
      opts.type === undefined
        ? all<{ type: string; state_key: string; event_id: string | null }>(
            sql,
            `SELECT type, state_key, event_id FROM state_group_entries WHERE group_id = ? AND (type, state_key) ${cmp} (?, ?)
             ORDER BY type, state_key LIMIT ?`,
            g.id,
            after[0],
            after[1],
            opts.limit,
          )
        : all<{ type: string; state_key: string; event_id: string | null }>(
            sql,
            `SELECT type, state_key, event_id FROM state_group_entries WHERE group_id = ? AND type = ? AND state_key ${cmp} ?
             ORDER BY state_key LIMIT ?`,
            g.id,
            opts.type,
            opts.type === after[0] ? after[1] : '',
            opts.limit,
          );
    if (rows.length === opts.limit) {
      const last = rows[rows.length - 1]!;
      const lastKey: [string, string] = [last.type, last.state_key];
      if (!cutoff || compareKeys(lastKey, cutoff) < 0) cutoff = lastKey;
    }
    for (const r of rows) {
      const k = stateKey(r.type, r.state_key);
      const seen = best.get(k);
      if (!seen || seen.pos < g.pos) best.set(k, { type: r.type, key: r.state_key, eventId: r.event_id, pos: g.pos });
    }
  }
  const entries: StateEntry[] = [];
  for (const e of best.values()) {
    if (e.eventId === null) continue;
    if (cutoff && compareKeys([e.type, e.key], cutoff) > 0) continue;
    entries.push([e.type, e.key, e.eventId]);
  }
  entries.sort((a, b) => compareKeys([a[0], a[1]], [b[0], b[1]]));
  return cutoff ? { entries, next: cutoff } : { entries };
}
