// Delivering outbox rows after their transaction commits, to D1: 'membership' rows go to the
// membership index (idempotent: it keeps the highest room stream per user), 'summary' rows to
// the published-directory summaries (only the newest is written; D1 keeps the summary of the
// latest stream position). Failures are retried with backoff from the object's alarm. Other
// kinds (User objects, federation) are delivered elsewhere.
import { applyMembershipChanges, type MembershipChange } from '../../src/db/room-memberships.js';
import { upsertSummary } from '../../src/db/directory.js';
import { acknowledge, dueRows, retryLater, type OutboxKind, type OutboxRow } from './store/outbox.js';
import type { Sql } from './store/sql.js';
import type { SummaryPayload } from './write/summary.js';

const BATCH = 200;

async function deliverKind(
  sql: Sql,
  kind: OutboxKind,
  now: number,
  deliver: (rows: OutboxRow[]) => Promise<unknown>,
): Promise<number> {
  const rows = dueRows(sql, kind, now, BATCH);
  if (rows.length === 0) return 0;
  const ids = rows.map((r) => r.id);
  try {
    await deliver(rows);
  } catch (e) {
    console.error(`room outbox: ${kind} delivery failed`, e);
    retryLater(sql, ids, now);
    return 0;
  }
  acknowledge(sql, ids);
  return ids.length;
}

/** Delivers what is due; returns how many rows were acknowledged. Never throws. */
export async function deliverDue(sql: Sql, db: D1Database, now: number): Promise<number> {
  const [memberships, summaries] = await Promise.all([
    deliverKind(sql, 'membership', now, (rows) =>
      applyMembershipChanges(
        db,
        rows.map((r) => JSON.parse(r.payload) as MembershipChange),
        now,
      ),
    ),
    deliverKind(sql, 'summary', now, (rows) => {
      const newest = rows.reduce((a, b) => (b.stream > a.stream ? b : a));
      const { summary, stream } = JSON.parse(newest.payload) as SummaryPayload;
      return upsertSummary(db, newest.target, summary, now, stream);
    }),
  ]);
  return memberships + summaries;
}
