// How a sync Filter (client-server "Filtering", sync_filter.yaml) shapes a /sync response:
// defaults, the per-section filters, and their `limit`s. The matching rules themselves are
// in ../filters.ts.
import { roomAllowed, roomEventFilterAllows, type EventFilter, type Filter, type RoomEventFilter } from '../filters.js';

/** Synapse's default timeline limit, which clients rely on when they send no filter. */
export const DEFAULT_TIMELINE_LIMIT = 10;
/** A bound on what one room's timeline may return in one response. */
export const MAX_TIMELINE_LIMIT = 1000;

export interface SyncFilterView {
  timeline: RoomEventFilter | undefined;
  timelineLimit: number;
  state: RoomEventFilter | undefined;
  lazyLoadMembers: boolean;
  includeRedundantMembers: boolean;
  ephemeral: RoomEventFilter | undefined;
  roomAccountData: RoomEventFilter | undefined;
  accountData: EventFilter | undefined;
  presence: EventFilter | undefined;
  includeLeave: boolean;
  eventFields: string[] | undefined;
  unreadThreadNotifications: boolean;
  /** Whether the RoomFilter's rooms/not_rooms let this room into the response at all. */
  roomIncluded(roomId: string): boolean;
}

export function syncFilterView(filter: Filter | undefined): SyncFilterView {
  const room = filter?.room;
  const timeline = room?.timeline;
  const state = room?.state;
  return {
    timeline,
    timelineLimit: Math.min(MAX_TIMELINE_LIMIT, timeline?.limit ?? DEFAULT_TIMELINE_LIMIT),
    state,
    // "Lazy-loading members is only supported on the state part of a RoomFilter for this endpoint."
    lazyLoadMembers: state?.lazy_load_members === true,
    includeRedundantMembers: state?.include_redundant_members === true,
    ephemeral: room?.ephemeral,
    roomAccountData: room?.account_data,
    accountData: filter?.account_data,
    presence: filter?.presence,
    includeLeave: room?.include_leave === true,
    eventFields: filter?.event_fields,
    unreadThreadNotifications: timeline?.unread_thread_notifications === true,
    roomIncluded: (roomId) => roomAllowed(room, roomId),
  };
}

/** Whether a section filter with rooms/not_rooms (timeline, state, ephemeral, account_data) covers the room. */
export const sectionCoversRoom = (f: RoomEventFilter | undefined, roomId: string): boolean => roomAllowed(f, roomId);

/**
 * Keeps the events a filter allows, at most its `limit` (the newest when `newest` is set):
 * for account data, presence and ephemeral events, whose lists have no pagination.
 */
export function filterEvents<T extends { type: string; sender?: string }>(
  events: readonly T[],
  filter: EventFilter | RoomEventFilter | undefined,
  roomId?: string,
): T[] {
  if (!filter) return [...events];
  const kept = events.filter((e) => roomEventFilterAllows(filter, { type: e.type, sender: e.sender, room_id: roomId }));
  return filter.limit === undefined ? kept : kept.slice(0, filter.limit);
}
