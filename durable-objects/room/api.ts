// The RPC API of the Room Durable Object (one object per room, addressed by room ID:
// `env.ROOMS.getByName(roomId)`). These are the types services code against; every method
// of `Room` (room.ts) takes one of these inputs and resolves to one of these outputs.
// Outcomes are values: a failure is `{ ok: false, errcode, error }` with the spec's errcode,
// for the HTTP edge to turn into a MatrixError. Nothing here throws for a protocol reason.
//
// Creating a room: the object is addressed by the room ID, and in room v12 the room ID is
// the hash of the create event. So the service builds the create event first with the pure
// `buildCreateEvent` (src/core/events/build.ts), which returns `{ pdu, roomId }` (hashed,
// not yet signed), then calls `env.ROOMS.getByName(roomId).createRoom({ createEvent: pdu, ... })`.
// The object checks the create event, signs it with the server key and stores it with the
// initial events, all or nothing.
import type { JsonObject, Pdu } from '../../src/core/events/types.js';
import type { RoomEventFilter } from '../../src/core/filters.js';
import type {
  SetReceiptInput,
  SetReceiptResult,
  SetTypingInput,
  SetTypingResult,
  SubscribeSyncInput,
  SubscribeSyncResult,
  SyncRoomInput,
  SyncRoomResult,
} from './sync-api.js';

export type RoomErrcode =
  | 'M_FORBIDDEN'
  | 'M_NOT_FOUND'
  | 'M_BAD_JSON'
  | 'M_TOO_LARGE'
  | 'M_INVALID_PARAM'
  | 'M_UNSUPPORTED_ROOM_VERSION'
  | 'M_ROOM_IN_USE'
  | 'M_UNKNOWN';

export interface RoomFailure {
  ok: false;
  errcode: RoomErrcode;
  error: string;
}

/** What a local client asks to send; the object fills in prev/auth events, depth, hashes, signature. */
export interface EventTemplate {
  type: string;
  /** Present for state events (may be ''). */
  stateKey?: string;
  content: JsonObject;
  /** m.room.redaction: the redacted event. Put at the top level (v1-10) or in content (v11+) by the object. */
  redacts?: string;
}

/**
 * Transaction de-duplication key (client-server "Transaction identifiers"): "The scope of a
 * transaction ID is for a single device, and a single HTTP endpoint". With the sender, the
 * device and the request path make the scope, so a retry after an access-token refresh is
 * still recognised and `/send` and `/redact` never collide.
 */
export interface TxnKey {
  /** The sending device (the access token's `device_id`). */
  deviceId: string;
  /** The request path without the txnId and the room: `send/<eventType>` or `redact/<eventId>`. */
  scope: string;
  txnId: string;
  /** The access token's hash: matches rows written before keys had a device, and reads by token. */
  tokenHash?: string;
}

export interface LocalEvent {
  sender: string;
  event: EventTemplate;
  /** origin_server_ts override (appservice `ts`); default: the object's clock. */
  originServerTs?: number;
}

// ---- writes ---------------------------------------------------------------------------

export interface CreateRoomInput {
  /**
   * The m.room.create PDU from `buildCreateEvent`: hashed, unsigned (signatures are added
   * here). v1-11: its `room_id` must be this object's room ID; v12: its hash must be.
   */
  createEvent: Pdu;
  /** Sent after the create event, in order (creator's join, power levels, join rules, ...). */
  initialEvents?: LocalEvent[];
}

export type CreateRoomResult =
  | { ok: true; roomId: string; roomVersion: string; createEventId: string; eventIds: string[] }
  | RoomFailure;

export interface SendEventInput extends LocalEvent {
  /** When given, a retried (device, scope, txnId) returns the first event ID. */
  txn?: TxnKey;
}

/** `deduplicated`: the txn was seen before and `eventId` is the event it created. */
export type SendEventResult = { ok: true; eventId: string; stream: number; deduplicated: boolean } | RoomFailure;

/** Signed PDUs from elsewhere (federation, tests). `keys`: server → key ID → unpadded base64 ed25519 key. */
export interface InjectEventsInput {
  pdus: Pdu[];
  keys?: Record<string, Record<string, string>>;
}

export type InjectOutcome =
  | 'accepted' // stored, in the timeline and state
  | 'soft_failed' // stored, passes auth at its own state but not against the current state
  | 'rejected' // stored as rejected: fails auth against its auth_events or its state
  | 'duplicate' // already known
  | 'dropped'; // not stored: bad format, bad signature, unknown auth/prev events

export interface InjectEventResult {
  eventId?: string;
  outcome: InjectOutcome;
  reason?: string;
}

export type InjectEventsResult = { ok: true; results: InjectEventResult[] } | RoomFailure;

// ---- reads ----------------------------------------------------------------------------

/** An event in the client-server format (ClientEvent), redacted when it has been redacted. */
export interface ClientEvent {
  content: JsonObject;
  event_id: string;
  origin_server_ts: number;
  room_id: string;
  sender: string;
  state_key?: string;
  type: string;
  /** v1-10 redactions carry `redacts` at the top level. */
  redacts?: string;
  unsigned?: ClientUnsigned;
}

export interface ClientUnsigned {
  age?: number;
  prev_content?: JsonObject;
  replaces_state?: string;
  redacted_because?: ClientEvent;
  /** Only for the device (or access token) that sent it. */
  transaction_id?: string;
}

/**
 * Who is asking. Reads given `asUser` apply history visibility (client-server "History
 * visibility") and membership rules; reads without it are server-internal and unfiltered.
 */
export interface Viewer {
  asUser?: string;
  /** The requesting device, to add `unsigned.transaction_id` to the events it sent (with `asUser`). */
  deviceId?: string;
  /** The requesting access token's hash: `unsigned.transaction_id` by token when no device is given. */
  tokenHash?: string;
}

export interface RoomInfo {
  roomId: string;
  roomVersion: string;
  creator: string;
  createdTs: number;
  /** The latest stream position (stream of the newest event). */
  stream: number;
  /** A /messages token for "now" (after the newest event). */
  currentToken: string;
  forwardExtremities: string[];
  joinedMembers: number;
  invitedMembers: number;
}

export type RoomInfoResult = { ok: true; info: RoomInfo } | RoomFailure;

export interface GetEventInput extends Viewer {
  eventId: string;
}
export type GetEventResult = { ok: true; event: ClientEvent } | RoomFailure;

/**
 * A stored PDU as it crosses RPC: the Pdu fields without its open index signature (which
 * the RPC types cannot serialise); extra top-level keys are still there at runtime.
 */
export type WirePdu = {
  [K in keyof Pdu as string extends K ? never : K]: Pdu[K];
};

export type GetPduResult = { ok: true; pdu: WirePdu; rejected: boolean; softFailed: boolean; outlier: boolean } | RoomFailure;

export interface GetStateEventInput extends Viewer {
  type: string;
  stateKey: string;
}
export type GetStateEventResult = { ok: true; event: ClientEvent } | RoomFailure;

/** Paged state: `from` is the `next` of the previous page; absent `next` means the last page. */
export interface StatePageInput extends Viewer {
  from?: string;
  /** Default 1000, at most 5000. */
  limit?: number;
}
export type StatePageResult = { ok: true; events: ClientEvent[]; next?: string } | RoomFailure;

export interface GetStateAtInput extends StatePageInput {
  eventId: string;
  /** The state after the event instead of before it. */
  after?: boolean;
}

export interface GetMembersInput extends Viewer {
  /** A room token (as /messages returns) to read membership at; default now (or when the viewer left). */
  at?: string;
  membership?: string;
  notMembership?: string;
  /** Default 1000, at most 5000. */
  limit?: number;
  from?: string;
}
export type GetMembersResult = { ok: true; chunk: ClientEvent[]; next?: string } | RoomFailure;

export interface GetJoinedMembersInput extends Viewer {
  from?: string;
  /** Default 5000, at most 10000. */
  limit?: number;
}
export type GetJoinedMembersResult =
  | { ok: true; joined: Record<string, { display_name?: string; avatar_url?: string }>; next?: string }
  | RoomFailure;

export interface GetMessagesInput extends Viewer {
  /** A room token; default: the end (dir b) or the start (dir f) of the room. */
  from?: string;
  to?: string;
  dir: 'b' | 'f';
  /** Default 10, at most 1000. */
  limit?: number;
  filter?: RoomEventFilter;
}
/** /messages: `end` is absent when there are no more events in that direction. */
export type GetMessagesResult =
  | { ok: true; chunk: ClientEvent[]; start: string; end?: string; state: ClientEvent[] }
  | RoomFailure;

export interface GetContextInput extends Viewer {
  eventId: string;
  /** Events before and after, split evenly as Synapse does. Default 10, at most 100. */
  limit?: number;
  filter?: RoomEventFilter;
}
export type GetContextResult =
  | {
      ok: true;
      event: ClientEvent;
      events_before: ClientEvent[];
      events_after: ClientEvent[];
      start: string;
      end: string;
      /** Lazy-loaded: the membership events of the returned events' senders, at the last event. */
      state: ClientEvent[];
    }
  | RoomFailure;

export interface TimestampToEventInput extends Viewer {
  ts: number;
  dir: 'b' | 'f';
}
export type TimestampToEventResult = { ok: true; event_id: string; origin_server_ts: number } | RoomFailure;

export interface Membership {
  membership: string;
  eventId: string;
  stream: number;
  displayname?: string;
  avatarUrl?: string;
}
export type MembershipResult = { ok: true; membership: Membership | null } | RoomFailure;

type Awaitable<T> = T | Promise<T>;

/**
 * The RPC surface `Room` implements. Over a stub (`env.ROOMS.getByName(roomId)`, typed
 * `DurableObjectStub<Room>`) every method returns a Promise.
 */
export interface RoomRpc {
  createRoom(input: CreateRoomInput): Awaitable<CreateRoomResult>;
  sendEvent(input: SendEventInput): Awaitable<SendEventResult>;
  injectEvents(input: InjectEventsInput): Awaitable<InjectEventsResult>;
  getRoomInfo(): Awaitable<RoomInfoResult>;
  getEvent(input: GetEventInput): Awaitable<GetEventResult>;
  getPdu(eventId: string): Awaitable<GetPduResult>;
  getStateEvent(input: GetStateEventInput): Awaitable<GetStateEventResult>;
  getCurrentState(input: StatePageInput): Awaitable<StatePageResult>;
  getStateAt(input: GetStateAtInput): Awaitable<StatePageResult>;
  getMembers(input: GetMembersInput): Awaitable<GetMembersResult>;
  getJoinedMembers(input: GetJoinedMembersInput): Awaitable<GetJoinedMembersResult>;
  getMessages(input: GetMessagesInput): Awaitable<GetMessagesResult>;
  getContext(input: GetContextInput): Awaitable<GetContextResult>;
  timestampToEvent(input: TimestampToEventInput): Awaitable<TimestampToEventResult>;
  membershipOf(userId: string): Awaitable<MembershipResult>;
  // Sync and ephemeral features (types in sync-api.ts).
  syncRoom(input: SyncRoomInput): Awaitable<SyncRoomResult>;
  subscribeSync(input: SubscribeSyncInput): Awaitable<SubscribeSyncResult>;
  setTyping(input: SetTypingInput): Awaitable<SetTypingResult>;
  setReceipt(input: SetReceiptInput): Awaitable<SetReceiptResult>;
}

/**
 * A stub typed from `RoomRpc`: `env.ROOMS.getByName(roomId) as unknown as RoomStub`. The
 * generated `DurableObjectStub<Room>` type works too, but its RPC type mapping is costly
 * enough that a function making many calls can hit TypeScript's instantiation limit.
 */
export type RoomStub = {
  [K in keyof RoomRpc]: (...args: Parameters<RoomRpc[K]>) => Promise<Awaited<ReturnType<RoomRpc[K]>>>;
};
