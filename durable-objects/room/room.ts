// The Room Durable Object: one per room, the single writer of its event DAG and state.
// This class only holds storage and concurrency: it opens the SQLite store, queues writes
// so one completes before the next is planned, and forwards each RPC to the module that
// does the work (write/, read/). The RPC types are in api.ts.
import { DurableObject } from 'cloudflare:workers';
import { decodeBase64 } from '../../src/core/json/base64.js';
import type { Pdu } from '../../src/core/events/types.js';
import { randomString } from '../../src/platform/random.js';
import { serverSigner } from '../../src/platform/server-signer.js';
import type { Signer } from '../../src/platform/signer.js';
import { deliverDue } from './outbox-delivery.js';
import { countMembers, memberRow } from './store/current-state.js';
import { forwardExtremities, getEventRow, maxStream } from './store/events.js';
import { nextAttemptTs, pendingKinds } from './store/outbox.js';
import { pruneTxns, TXN_RETENTION_MS } from './store/txns.js';
import { RoomStore } from './store/room-store.js';
import { migrate } from './store/schema.js';
import { migrateSync } from './store/sync.js';
import { RoomSyncHost } from './sync-host.js';
import type * as syncApi from './sync-api.js';
import { injectEvent } from './write/inject.js';
import { SendQueue, sendEvents } from './write/batch.js';
import { createRoom, type WriteContext } from './write/local.js';
import { getContext, getEvent, getMessages, timestampToEvent, currentPosition } from './read/timeline.js';
import { getCurrentState, getJoinedMembers, getMembers, getStateAt, getStateEvent } from './read/state.js';
import { formatToken } from './read/tokens.js';
import type * as api from './api.js';

const NO_ROOM: api.RoomFailure = { ok: false, errcode: 'M_NOT_FOUND', error: 'Unknown room' };
/** Retry delivery from an alarm if the object goes away before delivering after a commit. */
const OUTBOX_SAFETY_DELAY_MS = 30_000;

/** Access for in-process test and benchmark hooks (test-hooks.ts); not reachable over RPC. */
export const ROOM_INTERNALS = Symbol('room internals');

export interface RoomInternals {
  store(): RoomStore | undefined;
  writeContext(): Promise<WriteContext>;
  serial<T>(fn: () => Promise<T>): Promise<T>;
  setClock(now: () => number): void;
  databaseBytes(): number;
  flushOutbox(): Promise<void>;
  /** Delivers the 'user' rows (notifications to User objects) now. */
  flushUserOutbox(): Promise<void>;
}

export class Room extends DurableObject<Env> implements api.RoomRpc {
  private store: RoomStore | undefined;
  private writes: Promise<unknown> = Promise.resolve();
  private flushing: Promise<void> | undefined;
  private flushAgain = false;
  private now: () => number = () => Date.now();
  /** Sync: typing, receipts, notifying User objects (sync-host.ts). */
  private readonly sync: RoomSyncHost;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    void ctx.blockConcurrencyWhile(async () => {
      migrate(ctx.storage.sql);
      migrateSync(ctx.storage.sql);
      this.store = RoomStore.open(ctx.storage.sql);
    });
    this.sync = new RoomSyncHost({
      ctx,
      env,
      now: () => this.now(),
      store: () => this.store,
      afterFlush: () => this.rescheduleOutboxAlarm(),
      afterCommit: () => this.afterCommit(),
    });
  }

  private get origin(): string {
    return this.env.SERVER_NAME;
  }

  private signer(): Promise<Signer> {
    return serverSigner(this.env.DB);
  }

  /** Runs writes one after another: each plans against the state the previous one left. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.writes.then(fn, fn);
    this.writes = run.catch(() => undefined);
    return run;
  }

  private async writeContext(): Promise<WriteContext> {
    const signer = await this.signer();
    return {
      sql: this.ctx.storage.sql,
      origin: this.origin,
      now: this.now(),
      signer,
      randomLocalpart: () => randomString(18),
      transaction: (fn) => this.ctx.storage.transactionSync(fn),
    };
  }

  // ---- writes -----------------------------------------------------------------------

  async createRoom(input: api.CreateRoomInput): Promise<api.CreateRoomResult> {
    return this.serial(async () => {
      if (this.store) return { ok: false, errcode: 'M_ROOM_IN_USE', error: 'Room already exists' } as const;
      const ctx = await this.writeContext();
      const ns = this.env.ROOMS;
      const { result, store } = await createRoom(ctx, input, (roomId) => this.ctx.id.equals(ns.idFromName(roomId)));
      if (store) this.store = store;
      this.afterCommit();
      return result;
    });
  }

  async sendEvent(input: api.SendEventInput): Promise<api.SendEventResult> {
    const shape = checkLocalEvent(input);
    if (shape) return shape;
    return this.sends.send(input);
  }

  /** Sends waiting for the write queue are committed together (write/batch.ts). */
  private readonly sends = new SendQueue(
    (fn) => this.serial(fn),
    async (inputs) => {
      const store = this.store;
      if (!store) return inputs.map(() => NO_ROOM);
      const results = await sendEvents(await this.writeContext(), store, inputs);
      this.afterCommit();
      return results;
    },
  );

  async injectEvents(input: api.InjectEventsInput): Promise<api.InjectEventsResult> {
    return this.serial(async () => {
      const store = this.store;
      if (!store) return NO_ROOM;
      const signer = await this.signer();
      const keys = (server: string, keyId: string): Uint8Array | undefined => {
        if (server === this.origin && keyId === signer.keyId) return signer.publicKey;
        const b64 = input.keys?.[server]?.[keyId];
        return b64 === undefined ? undefined : decodeBase64(b64);
      };
      // Parents before children when the caller sent a batch in another order.
      const pdus = [...input.pdus].sort((a, b) => (Number(a?.depth) || 0) - (Number(b?.depth) || 0));
      const results: api.InjectEventResult[] = [];
      for (const pdu of pdus) {
        const savedGroup = store.meta.currentGroup;
        try {
          results.push(this.ctx.storage.transactionSync(() => injectEvent(store, pdu as Pdu, keys, this.now())));
        } catch (e) {
          store.rollback(savedGroup);
          results.push({ outcome: 'dropped', reason: `internal error: ${(e as Error).message}` });
        }
      }
      this.afterCommit();
      return { ok: true, results };
    });
  }

  // ---- outbox -----------------------------------------------------------------------

  private afterCommit(): void {
    const sql = this.ctx.storage.sql;
    this.pruneTxnsHourly();
    const pending = pendingKinds(sql);
    const users = pending.has('user');
    // 'membership' and 'summary' rows go to D1 (outbox-delivery.ts).
    const memberships = pending.has('membership') || pending.has('summary');
    if (!users && !memberships) return;
    // The alarm is the safety net if this object goes away before the flush right after.
    this.alarmNoLaterThan(this.now() + OUTBOX_SAFETY_DELAY_MS);
    // User objects first: a waiting /sync wakes on them.
    if (users) this.ctx.waitUntil(this.sync.flush());
    if (memberships) this.ctx.waitUntil(this.flushOutbox());
  }

  private lastTxnPrune = 0;

  /** Forgets day-old transaction IDs, at most once an hour per object (a bounded delete). */
  private pruneTxnsHourly(): void {
    const now = this.now();
    if (now - this.lastTxnPrune < 60 * 60 * 1000) return;
    this.lastTxnPrune = now;
    pruneTxns(this.ctx.storage.sql, now - TXN_RETENTION_MS);
  }

  /** The safety alarm for whatever the outbox still holds (of any kind), or none. */
  private async rescheduleOutboxAlarm(): Promise<void> {
    const sql = this.ctx.storage.sql;
    const next = [nextAttemptTs(sql, 'membership'), nextAttemptTs(sql, 'summary'), nextAttemptTs(sql, 'user')].filter(
      (t): t is number => t !== undefined,
    );
    // With nothing left the alarm stays as it is: firing on an empty outbox costs less than
    // deleting it after every flush and setting it again at the next write.
    if (next.length > 0) this.alarmNoLaterThan(Math.max(Math.min(...next), this.now() + 1000));
  }

  /**
   * The outbox alarm, kept in memory so that a busy room writes it about once per safety
   * delay instead of at every commit: `undefined` = not known since the object started.
   */
  private alarmAt: number | null | undefined;

  private alarmNoLaterThan(ts: number): void {
    if (this.alarmAt != null && this.alarmAt <= ts) return;
    this.alarmAt = ts;
    void this.ctx.storage.setAlarm(ts);
  }

  private flushOutbox(): Promise<void> {
    if (this.flushing) {
      this.flushAgain = true;
      return this.flushing;
    }
    const sql = this.ctx.storage.sql;
    this.flushing = (async () => {
      try {
        do {
          this.flushAgain = false;
          while ((await deliverDue(sql, this.env.DB, this.now())) > 0) {
            // keep going while rows are due
          }
        } while (this.flushAgain);
        await this.rescheduleOutboxAlarm();
      } finally {
        this.flushing = undefined;
      }
    })();
    return this.flushing;
  }

  override async alarm(): Promise<void> {
    this.alarmAt = null;
    await Promise.all([this.flushOutbox(), this.sync.flush()]);
  }

  // ---- sync (sync-host.ts; types in sync-api.ts) ------------------------------------

  syncRoom(input: syncApi.SyncRoomInput): syncApi.SyncRoomResult {
    return this.sync.syncRoom(input);
  }

  subscribeSync(input: syncApi.SubscribeSyncInput): syncApi.SubscribeSyncResult {
    return this.sync.subscribeSync(input);
  }

  setTyping(input: syncApi.SetTypingInput): syncApi.SetTypingResult {
    return this.sync.setTyping(input);
  }

  setReceipt(input: syncApi.SetReceiptInput): syncApi.SetReceiptResult {
    return this.sync.setReceipt(input);
  }

  // ---- reads ------------------------------------------------------------------------

  getRoomInfo(): api.RoomInfoResult {
    const store = this.store;
    if (!store) return NO_ROOM;
    const sql = this.ctx.storage.sql;
    return {
      ok: true,
      info: {
        roomId: store.roomId,
        roomVersion: store.version.id,
        creator: store.meta.creator,
        createdTs: store.meta.createdTs,
        stream: maxStream(sql),
        currentToken: formatToken(currentPosition(store)),
        forwardExtremities: forwardExtremities(sql).map((x) => x.event_id),
        joinedMembers: countMembers(sql, 'join'),
        invitedMembers: countMembers(sql, 'invite'),
      },
    };
  }

  getEvent(input: api.GetEventInput): api.GetEventResult {
    return this.store ? getEvent(this.store, input, this.now()) : NO_ROOM;
  }

  getPdu(eventId: string): api.GetPduResult {
    if (!this.store) return NO_ROOM;
    const row = getEventRow(this.ctx.storage.sql, eventId);
    if (!row) return { ok: false, errcode: 'M_NOT_FOUND', error: 'Event not found.' };
    return { ok: true, pdu: JSON.parse(row.json) as Pdu, rejected: row.rejected !== null, softFailed: row.soft_failed !== 0, outlier: row.outlier !== 0 };
  }

  getStateEvent(input: api.GetStateEventInput): api.GetStateEventResult {
    return this.store ? getStateEvent(this.store, input, this.now()) : NO_ROOM;
  }

  getCurrentState(input: api.StatePageInput = {}): api.StatePageResult {
    return this.store ? getCurrentState(this.store, input, this.now()) : NO_ROOM;
  }

  getStateAt(input: api.GetStateAtInput): api.StatePageResult {
    return this.store ? getStateAt(this.store, input, this.now()) : NO_ROOM;
  }

  getMembers(input: api.GetMembersInput = {}): api.GetMembersResult {
    return this.store ? getMembers(this.store, input, this.now()) : NO_ROOM;
  }

  getJoinedMembers(input: api.GetJoinedMembersInput = {}): api.GetJoinedMembersResult {
    return this.store ? getJoinedMembers(this.store, input) : NO_ROOM;
  }

  getMessages(input: api.GetMessagesInput): api.GetMessagesResult {
    return this.store ? getMessages(this.store, input, this.now()) : NO_ROOM;
  }

  getContext(input: api.GetContextInput): api.GetContextResult {
    return this.store ? getContext(this.store, input, this.now()) : NO_ROOM;
  }

  timestampToEvent(input: api.TimestampToEventInput): api.TimestampToEventResult {
    return this.store ? timestampToEvent(this.store, input) : NO_ROOM;
  }

  membershipOf(userId: string): api.MembershipResult {
    if (!this.store) return NO_ROOM;
    const row = memberRow(this.ctx.storage.sql, userId);
    if (!row) return { ok: true, membership: null };
    const m: api.Membership = { membership: row.membership, eventId: row.event_id, stream: row.stream };
    if (row.displayname !== null) m.displayname = row.displayname;
    if (row.avatar_url !== null) m.avatarUrl = row.avatar_url;
    return { ok: true, membership: m };
  }

  // ---- in-process hooks (not RPC: symbol-keyed) ------------------------------------

  [ROOM_INTERNALS](): RoomInternals {
    return {
      store: () => this.store,
      writeContext: () => this.writeContext(),
      serial: (fn) => this.serial(fn),
      setClock: (now) => {
        this.now = now;
      },
      databaseBytes: () => this.ctx.storage.sql.databaseSize,
      flushOutbox: () => this.flushOutbox(),
      flushUserOutbox: () => this.sync.flush(),
    };
  }
}

/** The shape a service must send; deeper rules (sizes, auth) come later. */
function checkLocalEvent(input: api.SendEventInput): api.RoomFailure | undefined {
  const e = input?.event;
  if (typeof input?.sender !== 'string') return { ok: false, errcode: 'M_BAD_JSON', error: 'sender is missing' };
  if (!e || typeof e.type !== 'string') return { ok: false, errcode: 'M_BAD_JSON', error: 'event type is missing' };
  if (typeof e.content !== 'object' || e.content === null || Array.isArray(e.content)) {
    return { ok: false, errcode: 'M_BAD_JSON', error: 'event content is not an object' };
  }
  if (e.stateKey !== undefined && typeof e.stateKey !== 'string') return { ok: false, errcode: 'M_BAD_JSON', error: 'stateKey is not a string' };
  return undefined;
}
