// Delivering outbox rows after their transaction commits: 'membership' rows go to the D1
// membership index (idempotent: it keeps the highest room stream per user). Failures are
// retried with backoff from the object's alarm. Other kinds (User objects, federation) are
// left in place for the code that will deliver them.
import { applyMembershipChanges, type MembershipChange } from '../../src/db/room-memberships.js';
import { acknowledge, dueRows, retryLater } from './store/outbox.js';
import type { Sql } from './store/sql.js';

const BATCH = 200;

/** Delivers what is due; returns how many rows were acknowledged. Never throws. */
export async function deliverDue(sql: Sql, db: D1Database, now: number): Promise<number> {
  const rows = dueRows(sql, 'membership', now, BATCH);
  if (rows.length === 0) return 0;
  const ids = rows.map((r) => r.id);
  try {
    await applyMembershipChanges(
      db,
      rows.map((r) => JSON.parse(r.payload) as MembershipChange),
      now,
    );
  } catch (e) {
    console.error('room outbox: membership delivery failed', e);
    retryLater(sql, ids, now);
    return 0;
  }
  acknowledge(sql, ids);
  return ids.length;
}
