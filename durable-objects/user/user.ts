// The User Durable Object: one per local user, the user's sync stream. Rooms (and the
// account-data, presence and to-device services) tell it what changed; it orders those
// notices into the stream, whose positions are the sync tokens; /sync requests with nothing
// to return wait here and are released by the next relevant notice. The RPC types are in
// api.ts, the schema in user-schema.md.
import { DurableObject } from 'cloudflare:workers';
import { SYNC_LEASE_MS, SYNC_LEASE_RENEW_MS } from '../../src/core/sync/lease.js';
import { maxAccountDataStream } from '../../src/db/sync.js';
import type { RoomStub } from '../room/api.js';
import { catchUp } from './catch-up.js';
import { getMeta, migrate, setMeta } from './store/schema.js';
import { knownMembers, recordMembers } from './store/lazy-members.js';
import { advance, append, changesBetween, cursor, hasRelevantAfter, knownRoomRows, maxPosition, roomCursors, setRoomMembership, valueAt } from './store/stream.js';
import { acknowledge, addMessage, claimTxn, hasUnsent, pendingMessages, recordSent } from './store/to-device.js';
import { Waiters } from './waiters.js';
import type * as api from './api.js';

const LEASE_MS = SYNC_LEASE_MS;
/** Renew (in the background) when less than this is left. */
const RENEW_MS = SYNC_LEASE_RENEW_MS;
/** The catch-up after an initial sync starts this much later (the answer goes first). */
const CATCH_UP_AFTER_INGEST_MS = 200;
const ACTIVE = new Set(['join', 'invite', 'knock']);

/** Access for in-process tests (not RPC: symbol-keyed). */
export const USER_INTERNALS = Symbol('user internals');

export class User extends DurableObject<Env> implements api.UserRpc {
  private readonly waiters = new Waiters();
  private catchingUp: Promise<void> | undefined;
  private started = false;
  /** The catch-up scheduled after an initial sync. */
  private catchUpTimer: ReturnType<typeof setTimeout> | undefined;
  private userIdValue: string | undefined;
  private now: () => number = () => Date.now();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    void ctx.blockConcurrencyWhile(async () => {
      migrate(ctx.storage.sql);
      this.userIdValue = getMeta(ctx.storage.sql, 'user_id');
    });
  }

  private get sql(): SqlStorage {
    return this.ctx.storage.sql;
  }

  private tx<T>(fn: () => T): T {
    return this.ctx.storage.transactionSync(fn);
  }

  private remember(userId: string): void {
    if (this.userIdValue === userId) return;
    this.userIdValue = userId;
    setMeta(this.sql, 'user_id', userId);
  }

  private get leaseUntil(): number {
    return Number(getMeta(this.sql, 'lease_until') ?? 0);
  }

  // ---- notices ----------------------------------------------------------------------

  notify(n: api.RoomNotice): void {
    const sql = this.sql;
    const changed = this.tx(() => {
      let any = false;
      if (n.stream !== undefined) any = advance(sql, n.roomId, 'room', n.stream) || any;
      if (n.receipts !== undefined) any = advance(sql, n.roomId, 'receipt', n.receipts) || any;
      if (n.typing !== undefined) any = advance(sql, n.roomId, 'typing', n.typing) || any;
      if (n.membership !== undefined) setRoomMembership(sql, n.roomId, n.membership, n.membershipStream ?? n.stream ?? 0);
      return any;
    });
    if (changed) this.waiters.wake();
    // A room the user just entered: ask it to keep notifying while this user syncs.
    const userId = this.userIdValue;
    const lease = this.leaseUntil;
    if (n.membership !== undefined && ACTIVE.has(n.membership) && userId !== undefined && lease > this.now()) {
      this.ctx.waitUntil(this.subscribe(n.roomId, userId, lease));
    }
  }

  private async subscribe(roomId: string, userId: string, untilTs: number): Promise<void> {
    try {
      const r = await (this.env.ROOMS.getByName(roomId) as unknown as RoomStub).subscribeSync({ userId, untilTs });
      if (!r.ok) return;
      const sql = this.sql;
      const changed = this.tx(
        () => [advance(sql, roomId, 'room', r.stream), advance(sql, roomId, 'receipt', r.receiptStream), advance(sql, roomId, 'typing', r.typingStream)].some(Boolean),
      );
      if (changed) this.waiters.wake();
    } catch (e) {
      console.error(`user: subscribing to ${roomId} failed`, e);
    }
  }

  async accountDataChanged(userId: string): Promise<void> {
    this.remember(userId);
    const position = await maxAccountDataStream(this.env.DB, userId);
    if (position > 0 && this.tx(() => advance(this.sql, '', 'account_data', position))) this.waiters.wake();
  }

  presenceChanged(input: { userId: string; serial: number }): void {
    if (this.tx(() => advance(this.sql, input.userId, 'presence', input.serial))) this.waiters.wake();
  }

  deviceListChanged(input: { userId: string; serial: number }): void {
    if (this.tx(() => advance(this.sql, input.userId, 'device_list', input.serial))) this.waiters.wake();
  }

  sendToDevice(input: api.SendToDeviceInput): void {
    if (input.messages.length === 0) return;
    const sql = this.sql;
    this.tx(() => {
      const newest = new Map<string, number>();
      for (const { deviceId, message } of input.messages) newest.set(deviceId, addMessage(sql, deviceId, message));
      for (const [deviceId, id] of newest) append(sql, deviceId, 'to_device', id);
    });
    this.waiters.wake();
  }

  claimTxn(input: { tokenHash: string; txnId: string }): boolean {
    return claimTxn(this.sql, input.tokenHash, input.txnId, this.now());
  }

  // ---- sync ---------------------------------------------------------------------------

  async changes(input: api.ChangesInput): Promise<api.ChangesResult> {
    this.remember(input.userId);
    if (input.since > maxPosition(this.sql)) return { ok: false, errcode: 'M_INVALID_PARAM', error: 'Unknown since token' };
    await this.keepFresh(input.userId);
    const clientSince = input.clientSince ?? input.since;
    const ready = () => hasRelevantAfter(this.sql, input.since, input.deviceId) || hasUnsent(this.sql, input.deviceId, clientSince);
    if (input.timeoutMs > 0 && !ready()) await this.waiters.wait(ready, input.timeoutMs);
    return this.tx(() => this.snapshot(input, clientSince));
  }

  /** What changed after `since`, as of now (synchronous: nothing can slip in between). */
  private snapshot(input: api.ChangesInput, clientSince: number): api.SyncChanges {
    const sql = this.sql;
    const toDevice = this.takeToDevice(input.deviceId, clientSince, true);
    const position = maxPosition(sql);
    const out: api.SyncChanges = { ok: true, position, rooms: {}, toDevice };
    const presence: string[] = [];
    let presenceAll = false;
    const deviceLists: string[] = [];
    const from = (key: string, kind: api.StreamKind) => valueAt(sql, key, kind, input.since);
    for (const c of changesBetween(sql, input.since, position)) {
      const kind = c.kind as api.StreamKind;
      if (kind === 'room' || kind === 'receipt' || kind === 'typing') {
        const room = (out.rooms[c.key] ??= {});
        if (kind === 'typing') room.typing = c.value;
        else room[kind === 'room' ? 'events' : 'receipts'] = withFrom(from(c.key, kind), c.value);
      } else if (kind === 'account_data') {
        out.accountData = withFrom(from(c.key, kind), c.value);
      } else if (kind === 'presence') {
        if (c.key === '*') presenceAll = true;
        else presence.push(c.key);
      } else if (kind === 'device_list') {
        deviceLists.push(c.key);
      }
    }
    if (input.allRooms) {
      for (const r of knownRoomRows(sql)) if (r.membership === 'join') out.rooms[r.room_id] ??= {};
    }
    for (const [roomId, room] of Object.entries(out.rooms)) {
      const at = cursor(sql, roomId, 'room');
      if (at !== undefined) room.at = at;
    }
    if (presence.length > 0 || presenceAll) out.presence = { users: presence, all: presenceAll };
    if (deviceLists.length > 0) out.deviceLists = deviceLists;
    if (input.lazyMembers) {
      out.knownMembers = {};
      for (const roomId of Object.keys(out.rooms)) out.knownMembers[roomId] = knownMembers(sql, input.deviceId, roomId, clientSince);
    }
    return out;
  }

  /**
   * Acknowledges what responses up to `clientSince` carried, and takes the device's next
   * messages, giving them a position of their own (the response's `next_batch`).
   */
  private takeToDevice(deviceId: string, clientSince: number | undefined, acknowledgeSince: boolean): api.ToDeviceMessage[] {
    const sql = this.sql;
    const acked = acknowledgeSince && clientSince !== undefined ? acknowledge(sql, deviceId, clientSince) : 0;
    const pending = pendingMessages(sql, deviceId, acked);
    const last = pending[pending.length - 1];
    if (last) recordSent(sql, deviceId, append(sql, deviceId, 'to_device_sent', last.id), last.id);
    return pending.map((p) => p.message);
  }

  knownRooms(): Record<string, api.KnownRoom> {
    return this.roomsAtNow();
  }

  private roomsAtNow(): Record<string, api.KnownRoom> {
    const rooms: Record<string, api.KnownRoom> = {};
    const entry = (roomId: string) => (rooms[roomId] ??= { stream: 0, receiptStream: 0, typingStream: 0, membership: null });
    for (const c of roomCursors(this.sql)) {
      const r = entry(c.key);
      if (c.kind === 'room') r.stream = c.value;
      else if (c.kind === 'receipt') r.receiptStream = c.value;
      else r.typingStream = c.value;
    }
    for (const r of knownRoomRows(this.sql)) entry(r.room_id).membership = r.membership;
    return rooms;
  }

  ingest(input: api.IngestInput): api.IngestResult {
    this.remember(input.userId);
    const sql = this.sql;
    const result = this.tx(() => {
      // The account-data position too, so the next sync asks D1 only for what is newer.
      advance(sql, '', 'account_data', input.accountData);
      for (const r of input.rooms) {
        advance(sql, r.roomId, 'room', r.stream);
        advance(sql, r.roomId, 'receipt', r.receiptStream);
        advance(sql, r.roomId, 'typing', r.typingStream);
        if (r.membership !== null) setRoomMembership(sql, r.roomId, r.membership, r.stream);
      }
      const toDevice = this.takeToDevice(input.deviceId, undefined, false);
      return { position: maxPosition(sql), rooms: this.roomsAtNow(), accountData: cursor(sql, '', 'account_data') ?? 0, toDevice };
    });
    this.started = true;
    // The rooms are asked to notify this user (the lease) just after the answer has gone, so
    // that no write sits on the initial sync's path; a sync arriving first waits for it.
    if (this.leaseUntil - this.now() < RENEW_MS && this.catchUpTimer === undefined) {
      this.catchUpTimer = setTimeout(() => {
        this.catchUpTimer = undefined;
        void this.catchUp(input.userId, false);
      }, CATCH_UP_AFTER_INGEST_MS);
    }
    return result;
  }

  recordLazyMembers(input: { deviceId: string; position: number; rooms: Record<string, Record<string, string>> }): void {
    this.tx(() => recordMembers(this.sql, input.deviceId, input.position, input.rooms));
  }

  // ---- catch-up -----------------------------------------------------------------------

  /**
   * After a start (an evicted object may have missed notices) or near the lease's end, a
   * catch-up in the background; after the lease's end (no room was notifying), one that the
   * answer waits for; one already under way (after an initial sync) is waited for too.
   */
  private async keepFresh(userId: string): Promise<void> {
    if (this.catchUpTimer !== undefined) {
      clearTimeout(this.catchUpTimer);
      this.catchUpTimer = undefined;
      await this.catchUp(userId, false);
      return;
    }
    if (this.catchingUp) {
      await this.catchingUp;
      return;
    }
    const now = this.now();
    const lease = this.leaseUntil;
    if (lease <= now) {
      this.started = true;
      await this.catchUp(userId);
      return;
    }
    if (!this.started || lease - now < RENEW_MS) {
      this.started = true;
      this.ctx.waitUntil(this.catchUp(userId));
    }
  }

  /** `presence`: presence changes may have been missed (the lease had run out) and are resent. */
  catchUp(userId: string, presence = true): Promise<void> {
    this.remember(userId);
    if (this.catchingUp) return this.catchingUp;
    const now = this.now();
    const lease = this.leaseUntil;
    this.catchingUp = catchUp({
      sql: this.sql,
      env: this.env,
      userId,
      untilTs: now + LEASE_MS,
      leaseExpired: presence && lease !== 0 && lease <= now,
      transaction: (fn) => this.tx(fn),
    })
      .then((appended) => {
        setMeta(this.sql, 'lease_until', String(Math.max(this.leaseUntil, now + LEASE_MS)));
        if (appended) this.waiters.wake();
      })
      .catch((e: unknown) => console.error('user: catch-up failed', e))
      .finally(() => {
        this.catchingUp = undefined;
      });
    return this.catchingUp;
  }

  // ---- in-process hooks (not RPC: symbol-keyed) ---------------------------------------

  [USER_INTERNALS]() {
    return {
      setClock: (now: () => number) => {
        this.now = now;
      },
      parked: () => this.waiters.size,
      leaseUntil: () => this.leaseUntil,
    };
  }
}

function withFrom(from: number | undefined, to: number): api.Range {
  return from === undefined ? { to } : { from, to };
}
