// Coalescing concurrent sends. Sends that arrive while a write is running queue up, and the
// next write takes them together: planned one on top of the other, signed, and committed in
// one transaction (one output-gate wait and one set of room-wide reads instead of one per
// event). Each send still gets its own outcome: an event the auth rules refuse fails alone.
// Anything unusual (the room moved, an event refused at commit or too large once signed)
// falls back to sending that batch one event at a time, which is the reference behaviour.
import { getEventRow, maxStream } from '../store/events.js';
import { eventForTxn } from '../store/txns.js';
import type { RoomStore } from '../store/room-store.js';
import type { SendEventInput, SendEventResult } from '../api.js';
import { commit, sendEvent, type WriteContext } from './local.js';
import { Planner, type PlannedEvent } from './plan.js';
import { signPlanned } from './sign.js';

/** Most events committed in one transaction. */
export const MAX_SEND_BATCH = 64;

const txnKeyOf = (input: SendEventInput): string | undefined =>
  input.txn && JSON.stringify([input.sender, input.txn.deviceId, input.txn.scope, input.txn.txnId]);

export async function sendEvents(ctx: WriteContext, store: RoomStore, inputs: readonly SendEventInput[]): Promise<SendEventResult[]> {
  if (inputs.length === 1) return [await sendEvent(ctx, store, inputs[0]!)];
  const results: SendEventResult[] = new Array(inputs.length);
  const seenStream = maxStream(ctx.sql);
  const planner = new Planner({ store, origin: ctx.origin, now: ctx.now, randomLocalpart: ctx.randomLocalpart });
  const planned: { index: number; event: PlannedEvent }[] = [];
  const plannedTxns = new Set<string>();
  /** Retransmissions of a transaction planned earlier in this batch: answered afterwards. */
  const repeats: number[] = [];
  inputs.forEach((input, index) => {
    const key = txnKeyOf(input);
    if (key !== undefined) {
      const seen = eventForTxn(ctx.sql, input.sender, input.txn!);
      if (seen !== undefined) {
        results[index] = { ok: true, eventId: seen, stream: getEventRow(ctx.sql, seen)?.stream ?? 0, deduplicated: true };
        return;
      }
      if (plannedTxns.has(key)) {
        repeats.push(index);
        return;
      }
    }
    const r = planner.plan(input, input.txn);
    if (!r.ok) {
      results[index] = r;
      return;
    }
    if (key !== undefined) plannedTxns.add(key);
    planned.push({ index, event: r.planned });
  });
  if (planned.length > 0) {
    const signed = await signPlanned(
      planned.map((p) => p.event),
      ctx.signer,
      ctx.origin,
      store.version,
    );
    const committed = Array.isArray(signed) ? commit(ctx, store, signed, seenStream) : signed;
    if (committed !== 'stale' && !('ok' in committed)) {
      planned.forEach((p, i) => {
        results[p.index] = { ok: true, eventId: p.event.eventId, stream: committed.streams[i]!, deduplicated: false };
      });
    } else {
      for (const p of planned) results[p.index] = await sendEvent(ctx, store, inputs[p.index]!);
    }
  }
  // Now de-duplicated against the stored transaction (or sent, if the first attempt failed).
  for (const index of repeats) results[index] = await sendEvent(ctx, store, inputs[index]!);
  return results;
}

interface Waiting {
  input: SendEventInput;
  resolve(result: SendEventResult): void;
  reject(error: unknown): void;
}

/**
 * The queue in front of the room's serial writes: each slot takes up to MAX_SEND_BATCH
 * waiting sends. `runSerially` is the room's write queue, `process` sends a batch.
 */
export class SendQueue {
  private waiting: Waiting[] = [];
  private scheduled = false;

  constructor(
    private readonly runSerially: (fn: () => Promise<void>) => Promise<void>,
    private readonly process: (inputs: SendEventInput[]) => Promise<SendEventResult[]>,
  ) {}

  send(input: SendEventInput): Promise<SendEventResult> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ input, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    void this.runSerially(async () => {
      this.scheduled = false;
      const batch = this.waiting.splice(0, MAX_SEND_BATCH);
      if (batch.length === 0) return;
      if (this.waiting.length > 0) this.schedule();
      try {
        const results = await this.process(batch.map((w) => w.input));
        batch.forEach((w, i) => w.resolve(results[i]!));
      } catch (e) {
        for (const w of batch) w.reject(e);
      }
    });
  }
}
