// History visibility (client-server "Room History Visibility", "Server behaviour"): whether
// a user may see an event, decided by the room state *at that event*. Pure: the caller looks
// up the history_visibility and the user's membership at the event, and whether the user
// joined at any point after it.

export type HistoryVisibility = 'world_readable' | 'shared' | 'invited' | 'joined';

/** "By default if no `history_visibility` is set, or if the value is not understood, the visibility is assumed to be `shared`." */
export function historyVisibilityOf(content: Record<string, unknown> | undefined): HistoryVisibility {
  const value = content?.['history_visibility'];
  return value === 'world_readable' || value === 'invited' || value === 'joined' || value === 'shared' ? value : 'shared';
}

/** The room state at one point that the rules read. */
export interface VisibilityState {
  historyVisibility: HistoryVisibility;
  /** The user's membership (`join`, `invite`, `leave`, `ban`, `knock`), undefined if never a member. */
  membership: string | undefined;
}

export interface EventVisibilityInput {
  /** The state at the event (before it; for non-state events the same as after it). */
  before: VisibilityState;
  /**
   * The state after the event, given for m.room.history_visibility events and for the
   * user's own m.room.member events, which are visible if either side allows them.
   */
  after?: VisibilityState | undefined;
  /** "the user joined the room at any point after the event was sent". */
  joinedLater: boolean;
}

/** The five rules, at one state. */
function allowedAt(state: VisibilityState, joinedLater: boolean): boolean {
  // 1. If the history_visibility was set to world_readable, allow.
  if (state.historyVisibility === 'world_readable') return true;
  // 2. If the user's membership was join, allow.
  if (state.membership === 'join') return true;
  // 3. If history_visibility was set to shared, and the user joined the room at any point
  //    after the event was sent, allow.
  if (state.historyVisibility === 'shared' && joinedLater) return true;
  // 4. If the user's membership was invite, and the history_visibility was set to invited, allow.
  if (state.membership === 'invite' && state.historyVisibility === 'invited') return true;
  // 5. Otherwise, deny.
  return false;
}

/**
 * Whether the user may see the event. "For m.room.history_visibility events themselves,
 * the user should be allowed to see the event if the history_visibility before *or* after
 * the event would allow them to see it. ... Likewise, for the user's own m.room.member
 * events".
 */
export function isEventVisible(input: EventVisibilityInput): boolean {
  if (allowedAt(input.before, input.joinedLater)) return true;
  return input.after !== undefined && allowedAt(input.after, input.joinedLater);
}

/** Whether `after` applies: the event is a history_visibility change or the user's own membership. */
export function needsStateAfter(event: { type: string; state_key?: string | undefined }, userId: string): boolean {
  if (event.state_key === undefined) return false;
  if (event.type === 'm.room.history_visibility' && event.state_key === '') return true;
  return event.type === 'm.room.member' && event.state_key === userId;
}
