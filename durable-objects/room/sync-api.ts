// The room object's RPC types for sync and the ephemeral features (typing, receipts), beside
// api.ts. The User object and the sync service read a room with `syncRoom`; a User object
// registers for notifications and catches up with `subscribeSync`.
import type { RoomEventFilter } from '../../src/core/filters.js';
import type { ReceiptContent } from '../../src/core/sync/receipts.js';
import type { ClientEvent, RoomFailure } from './api.js';

/** What a room tells a User object (`User.notify`): the newest positions that concern the user. */
export interface RoomNotice {
  roomId: string;
  /** The room stream of the newest event the user should look at. */
  stream?: number;
  /** The room's receipt stream position. */
  receipts?: number;
  /** The room's typing serial (typing lives in memory; the serial only grows). */
  typing?: number;
  /** The user's own membership, when the notice carries a change of it, and its stream. */
  membership?: string;
  membershipStream?: number;
}

export interface SyncRoomInput {
  userId: string;
  /** The requesting device, then access token (for `unsigned.transaction_id` on its own events). */
  deviceId?: string;
  tokenHash?: string;
  /** The room stream the client already has (exclusive); absent: the room is new to it. */
  from?: number;
  /** The newest room stream to include (inclusive); absent: now. */
  to?: number;
  fullState?: boolean;
  timeline: { limit: number; filter?: RoomEventFilter };
  state?: {
    filter?: RoomEventFilter;
    lazyLoadMembers?: boolean;
    /** Lazy loading without redundancy: member user → the member event ID the client has. */
    knownMembers?: Record<string, string>;
  };
  /** Receipts with from < stream <= to (from absent: all, to absent: now); absent: none. */
  receipts?: { from?: number; to?: number };
  /** Include the current typing list. */
  typing?: boolean;
  /** Register the user's User object for notifications until this time. */
  listenUntil?: number;
}

/** Stripped state ("Stripped state"): enough of a room to show an invite or a knock. */
export interface StrippedStateEvent {
  type: string;
  state_key: string;
  content: Record<string, unknown>;
  sender: string;
}

export interface SyncTimeline {
  events: ClientEvent[];
  limited: boolean;
  prev_batch?: string;
}

export interface RoomSummary {
  'm.heroes'?: string[];
  'm.joined_member_count': number;
  'm.invited_member_count': number;
}

export type SyncRoomSection =
  | {
      kind: 'join';
      timeline: SyncTimeline;
      state: ClientEvent[];
      summary: RoomSummary;
      typing?: string[];
      receipts?: ReceiptContent;
    }
  | { kind: 'leave'; timeline: SyncTimeline; state: ClientEvent[] }
  | { kind: 'invite'; strippedState: StrippedStateEvent[] }
  | { kind: 'knock'; strippedState: StrippedStateEvent[] }
  /** Nothing for this client: not a member, or a leave/invite it has already seen. */
  | { kind: 'none' };

export interface SyncRoomData {
  /** The user's membership at the upper bound. */
  membership: string | null;
  section: SyncRoomSection;
  /** The bounds this read covers (what the client has once it holds the answer). */
  stream: number;
  receiptStream: number;
  typingStream: number;
  /** Member events put in `state` by lazy loading: user → event ID (for the redundancy cache). */
  lazyMembers?: Record<string, string>;
}

export type SyncRoomResult = { ok: true; room: SyncRoomData } | RoomFailure;

export interface SubscribeSyncInput {
  userId: string;
  untilTs: number;
}
export type SubscribeSyncResult =
  | { ok: true; stream: number; receiptStream: number; typingStream: number; membership: string | null; membershipStream: number }
  | RoomFailure;

export interface SetTypingInput {
  userId: string;
  typing: boolean;
  timeoutMs?: number;
}
export type SetTypingResult = { ok: true } | RoomFailure;

export interface SetReceiptInput {
  userId: string;
  receiptType: 'm.read' | 'm.read.private';
  eventId: string;
  threadId?: string;
}
export type SetReceiptResult = { ok: true } | RoomFailure;
