// The shape of a /sync response (sync.yaml), and what every sync step needs.
import type { ClientEvent } from '../../../durable-objects/room/api.js';
import type { RoomSummary, StrippedStateEvent } from '../../../durable-objects/room/sync-api.js';
import type { ToDeviceMessage } from '../../../durable-objects/user/api.js';
import type { Filter } from '../../core/filters.js';
import type { SyncFilterView } from '../../core/sync/filter.js';
import type { PresenceState } from '../../core/sync/presence.js';
import type { PresenceEvent } from '../presence.js';
import type { Requester } from '../sessions.js';

export interface SyncDeps {
  env: Env;
  serverName: string;
  presenceEnabled: boolean;
  now?: () => number;
  waitUntil: (p: Promise<unknown>) => void;
}

export interface SyncParams {
  since?: string;
  timeoutMs: number;
  fullState: boolean;
  setPresence: PresenceState;
  filter?: Filter;
}

/** One sync request: who, with which filter. */
export interface SyncRequest {
  deps: SyncDeps;
  requester: Requester;
  params: SyncParams;
  view: SyncFilterView;
}

export interface BasicEvent {
  type: string;
  content: Record<string, unknown>;
  sender?: string;
}

export interface EventBatch<T = BasicEvent> {
  events: T[];
}

export interface Timeline {
  events: ClientEvent[];
  limited: boolean;
  prev_batch?: string;
}

export interface JoinedRoom {
  /** Empty when only the room's account data changed ("may be omitted" when unchanged). */
  summary: RoomSummary | Record<string, never>;
  state: EventBatch<ClientEvent>;
  timeline: Timeline;
  ephemeral: EventBatch;
  account_data: EventBatch;
  unread_notifications: { notification_count: number; highlight_count: number };
  unread_thread_notifications?: Record<string, { notification_count: number; highlight_count: number }>;
}

export interface LeftRoom {
  state: EventBatch<ClientEvent>;
  timeline: Timeline;
  account_data: EventBatch;
}

export interface SyncResponse {
  next_batch: string;
  rooms: {
    join: Record<string, JoinedRoom>;
    invite: Record<string, { invite_state: EventBatch<StrippedStateEvent> }>;
    knock: Record<string, { knock_state: EventBatch<StrippedStateEvent> }>;
    leave: Record<string, LeftRoom>;
  };
  account_data: EventBatch;
  presence: EventBatch<PresenceEvent>;
  to_device: EventBatch<ToDeviceMessage>;
  device_lists: { changed: string[]; left: string[] };
  device_one_time_keys_count: Record<string, number>;
  device_unused_fallback_key_types: string[];
}
