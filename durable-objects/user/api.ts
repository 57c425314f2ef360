// The RPC API of the User Durable Object (one per local user, `env.USERS.getByName(userId)`):
// the user's sync stream. Rooms call `notify`; the sync service calls `changes` (incremental
// /sync, where requests wait), `ingest` (initial /sync) and `recordLazyMembers`; other
// services call `accountDataChanged`, `presenceChanged`, `deviceListChanged` and the
// to-device methods.
import type { RoomNotice } from '../room/sync-api.js';

export type { RoomNotice };

/** What a stream row says changed (the `kind` column). */
export type StreamKind = 'room' | 'receipt' | 'typing' | 'account_data' | 'presence' | 'to_device' | 'to_device_sent' | 'device_list';

/** A range of one source's own positions: the client had `from` (absent: nothing), now `to`. */
export interface Range {
  from?: number;
  to: number;
}

export interface RoomChanges {
  /** Room events: `to` is the room stream the response must stop at. */
  events?: Range;
  receipts?: Range;
  /** The typing list changed (its serial now). */
  typing?: number;
  /** The room stream the client holds at the new position (for ephemeral-only changes). */
  at?: number;
}

export interface ToDeviceMessage {
  sender: string;
  type: string;
  content: Record<string, unknown>;
}

export interface ChangesInput {
  userId: string;
  deviceId: string;
  /** The position to report changes after. */
  since: number;
  /** The position the client sent (to-device acknowledgements); default `since`. */
  clientSince?: number;
  /** Wait this long for something relevant when nothing is (0: answer at once). */
  timeoutMs: number;
  /** Return the lazy-loading redundancy cache for the changed rooms. */
  lazyMembers?: boolean;
  /** List every joined room, changed or not (`full_state`). */
  allRooms?: boolean;
}

export interface SyncChanges {
  ok: true;
  /** The new position: the response's `next_batch`. */
  position: number;
  rooms: Record<string, RoomChanges>;
  accountData?: Range;
  /** Users whose presence changed; `all` after a catch-up that may have missed some. */
  presence?: { users: string[]; all: boolean };
  deviceLists?: string[];
  toDevice: ToDeviceMessage[];
  /** Room → member → event ID the client already has (lazy loading, `include_redundant_members` false). */
  knownMembers?: Record<string, Record<string, string>>;
}

export type ChangesResult = SyncChanges | { ok: false; errcode: 'M_INVALID_PARAM'; error: string };

export interface IngestRoom {
  roomId: string;
  stream: number;
  receiptStream: number;
  typingStream: number;
  membership: string | null;
}

export interface IngestInput {
  userId: string;
  deviceId: string;
  /** The positions an initial sync read from each room. */
  rooms: IngestRoom[];
  /** The account-data position it read. */
  accountData: number;
}

export interface KnownRoom {
  stream: number;
  receiptStream: number;
  typingStream: number;
  membership: string | null;
}

export interface IngestResult {
  position: number;
  /** Every room the stream knows, with its positions at `position`. */
  rooms: Record<string, KnownRoom>;
  /** The account-data position at `position` (above the one read: read again). */
  accountData: number;
  toDevice: ToDeviceMessage[];
}

export interface SendToDeviceInput {
  /** Device ID → message; the caller has expanded `*`. */
  messages: { deviceId: string; message: ToDeviceMessage }[];
}

type Awaitable<T> = T | Promise<T>;

export interface UserRpc {
  notify(notice: RoomNotice): Awaitable<void>;
  changes(input: ChangesInput): Awaitable<ChangesResult>;
  knownRooms(): Awaitable<Record<string, KnownRoom>>;
  ingest(input: IngestInput): Awaitable<IngestResult>;
  recordLazyMembers(input: { deviceId: string; position: number; rooms: Record<string, Record<string, string>> }): Awaitable<void>;
  accountDataChanged(userId: string): Awaitable<void>;
  presenceChanged(input: { userId: string; serial: number }): Awaitable<void>;
  deviceListChanged(input: { userId: string; serial: number }): Awaitable<void>;
  sendToDevice(input: SendToDeviceInput): Awaitable<void>;
  /** Transaction de-duplication for the sender's `PUT /sendToDevice/{type}/{txnId}`: true if new. */
  claimTxn(input: { tokenHash: string; txnId: string }): Awaitable<boolean>;
  /** Asks every room for what may have been missed (normally done by the object itself). */
  catchUp(userId: string, presence?: boolean): Awaitable<void>;
}

export type UserStub = {
  [K in keyof UserRpc]: (...args: Parameters<UserRpc[K]>) => Promise<Awaited<ReturnType<UserRpc[K]>>>;
};
