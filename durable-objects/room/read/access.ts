// Who may read what: history visibility per event (src/core/visibility.ts, with the state
// at each event from its state groups), and room-level access for state and member reads
// ("If the user has left the room then the state is returned as it was when they left").
import { historyVisibilityOf, isEventVisible, needsStateAfter, type HistoryVisibility, type VisibilityState } from '../../../src/core/visibility.js';
import { currentStateEventId, memberRow } from '../store/current-state.js';
import { getEventRow, IN_TIMELINE, type EventRow } from '../store/events.js';
import { first } from '../store/sql.js';
import { lookupInGroup } from '../store/state-groups.js';
import type { RoomStore } from '../store/room-store.js';
import type { RoomFailure } from '../api.js';

/** Applies history visibility for one user over many events, caching the state per group. */
export class VisibilityFilter {
  private readonly hv = new Map<number, HistoryVisibility>();
  private readonly membership = new Map<number, string | undefined>();
  /** Stream of the user's latest join, for "joined the room at any point after the event". */
  private readonly lastJoin: number;

  constructor(
    private readonly store: RoomStore,
    private readonly userId: string,
  ) {
    this.lastJoin =
      first<{ s: number | null }>(
        store.sql,
        `SELECT MAX(stream) AS s FROM events WHERE type = 'm.room.member' AND state_key = ? AND membership = 'join' AND ${IN_TIMELINE}`,
        userId,
      )?.s ?? 0;
  }

  visible(row: EventRow): boolean {
    if (row.rejected !== null || row.soft_failed !== 0) return false;
    const before = this.stateAt(row.sg_before);
    const after = needsStateAfter({ type: row.type, state_key: row.state_key ?? undefined }, this.userId)
      ? this.stateAt(row.sg_after)
      : undefined;
    return isEventVisible({ before, after, joinedLater: this.lastJoin > row.stream });
  }

  private stateAt(group: number | null): VisibilityState {
    if (group === null) return { historyVisibility: 'shared', membership: undefined };
    let hv = this.hv.get(group);
    if (hv === undefined) {
      const id = lookupInGroup(this.store.sql, group, 'm.room.history_visibility', '');
      hv = historyVisibilityOf(id === undefined ? undefined : this.store.authEvent(id)?.content);
      this.hv.set(group, hv);
    }
    if (!this.membership.has(group)) {
      const id = lookupInGroup(this.store.sql, group, 'm.room.member', this.userId);
      const m = id === undefined ? undefined : this.store.authEvent(id)?.content.membership;
      this.membership.set(group, typeof m === 'string' ? m : undefined);
    }
    return { historyVisibility: hv, membership: this.membership.get(group) };
  }
}

export function currentHistoryVisibility(store: RoomStore): HistoryVisibility {
  const id = currentStateEventId(store.sql, 'm.room.history_visibility', '');
  return historyVisibilityOf(id === undefined ? undefined : store.authEvent(id)?.content);
}

/** Which state a user may read: the current state, the state when they left, or none. */
export type StateAccess = { ok: true; group: number | 'current' } | RoomFailure;

export function stateAccess(store: RoomStore, userId: string | undefined): StateAccess {
  if (userId === undefined) return { ok: true, group: 'current' };
  const member = memberRow(store.sql, userId);
  if (member?.membership === 'join' || currentHistoryVisibility(store) === 'world_readable') return { ok: true, group: 'current' };
  if (member && (member.membership === 'leave' || member.membership === 'ban')) {
    const leave = getEventRow(store.sql, member.event_id);
    // Only someone who was joined before leaving saw the room: not a rejected invite.
    if (leave && leave.sg_before !== null && leave.sg_after !== null) {
      const prior = lookupInGroup(store.sql, leave.sg_before, 'm.room.member', userId);
      const was = prior === undefined ? undefined : store.authEvent(prior)?.content.membership;
      if (was === 'join') return { ok: true, group: leave.sg_after };
    }
  }
  return { ok: false, errcode: 'M_FORBIDDEN', error: "You aren't a member of the room and weren't previously a member of the room." };
}

/**
 * Whether a user may page the timeline at all (before visibility filters each event): a
 * member, a former member, or anyone when the room is world readable.
 */
export function timelineAccess(store: RoomStore, userId: string | undefined): RoomFailure | undefined {
  if (userId === undefined) return undefined;
  const member = memberRow(store.sql, userId);
  if (member && ['join', 'leave', 'ban'].includes(member.membership)) return undefined;
  if (currentHistoryVisibility(store) === 'world_readable') return undefined;
  return { ok: false, errcode: 'M_FORBIDDEN', error: `User ${userId} not in room` };
}
