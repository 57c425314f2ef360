// The sync side of a Room object, kept apart from room.ts: typing state and its expiry timer,
// delivery of the 'user' outbox rows to User objects, and the sync RPCs (room.ts delegates).
import { ROOM_NOT_FOUND } from './read/sync-errors.js';
import { subscribeSync, syncRoom } from './read/sync.js';
import { notifyTyping, setReceipt, setTyping } from './ephemeral.js';
import { TypingState } from './typing.js';
import { deliverUserNotices, type UserNotifier } from './user-delivery.js';
import type { RoomStore } from './store/room-store.js';
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

export interface SyncHostDeps {
  ctx: DurableObjectState;
  env: Env;
  now(): number;
  store(): RoomStore | undefined;
  /** Called after a flush: sets the safety alarm for whatever the outbox still holds. */
  afterFlush(): Promise<void>;
  /** Called after a committed write that queued outbox rows. */
  afterCommit(): void;
}

export class RoomSyncHost {
  readonly typing = new TypingState();
  private flushing: Promise<void> | undefined;
  private flushAgain = false;
  private typingTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly deps: SyncHostDeps) {}

  private userStub = (userId: string): UserNotifier => this.deps.env.USERS.getByName(userId) as unknown as UserNotifier;

  /** Delivers due 'user' rows until none is left; concurrent calls share one run. */
  flush(): Promise<void> {
    if (this.flushing) {
      this.flushAgain = true;
      return this.flushing;
    }
    const { ctx, env } = this.deps;
    this.flushing = (async () => {
      try {
        const store = this.deps.store();
        if (!store) return;
        do {
          this.flushAgain = false;
          const transaction = <T>(fn: () => T): T => ctx.storage.transactionSync(fn);
          while ((await deliverUserNotices(ctx.storage.sql, store.roomId, env.SERVER_NAME, this.deps.now(), this.userStub, transaction)) > 0) {
            // keep going while rows are due
          }
        } while (this.flushAgain);
        await this.deps.afterFlush();
      } finally {
        this.flushing = undefined;
      }
    })();
    return this.flushing;
  }

  syncRoom(input: SyncRoomInput): SyncRoomResult {
    const store = this.deps.store();
    if (!store) return ROOM_NOT_FOUND;
    return syncRoom({ store, now: this.deps.now(), typing: this.typing }, input);
  }

  subscribeSync(input: SubscribeSyncInput): SubscribeSyncResult {
    const store = this.deps.store();
    if (!store) return ROOM_NOT_FOUND;
    return subscribeSync(store, this.typing, input);
  }

  setReceipt(input: SetReceiptInput): SetReceiptResult {
    const store = this.deps.store();
    if (!store) return ROOM_NOT_FOUND;
    const { ctx } = this.deps;
    const result = setReceipt(store, input, this.deps.now(), (fn) => ctx.storage.transactionSync(fn));
    this.deps.afterCommit();
    return result;
  }

  setTyping(input: SetTypingInput): SetTypingResult {
    const store = this.deps.store();
    if (!store) return ROOM_NOT_FOUND;
    const result = setTyping(store, this.typing, input, this.deps.now());
    if (result !== 'changed') return result;
    this.announceTyping(store);
    this.scheduleExpiry();
    return { ok: true };
  }

  private announceTyping(store: RoomStore): void {
    this.deps.ctx.waitUntil(notifyTyping(store, this.typing, this.deps.env.SERVER_NAME, this.deps.now(), this.userStub));
  }

  /** One timer for the earliest expiry: typing "stops without a new event". */
  private scheduleExpiry(): void {
    if (this.typingTimer !== undefined) clearTimeout(this.typingTimer);
    this.typingTimer = undefined;
    const next = this.typing.nextExpiry();
    if (next === undefined) return;
    this.typingTimer = setTimeout(() => {
      this.typingTimer = undefined;
      const store = this.deps.store();
      if (store && this.typing.expire(this.deps.now())) this.announceTyping(store);
      this.scheduleExpiry();
    }, Math.max(0, next - this.deps.now()) + 5);
  }
}
