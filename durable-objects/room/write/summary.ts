// The room's published-directory summary (src/core/room-summary.ts) as an outbox row of kind
// 'summary', written in the same transaction as the change of summarised current state that
// causes it (a state event, a redaction of one, a state resolution), computed from the
// current state as that transaction leaves it. Delivered to D1's room_summaries by
// ../outbox-delivery.ts, which keeps the summary of the latest stream position.
import { redactEvent } from '../../../src/core/events/redaction.js';
import { summaryFromState, type RoomSummaryFields } from '../../../src/core/room-summary.js';
import { getEventRow } from '../store/events.js';
import { enqueue } from '../store/outbox.js';
import type { RoomStore } from '../store/room-store.js';

export interface SummaryPayload {
  summary: RoomSummaryFields;
  stream: number;
}

/** The content of the current `(type, '')` state event as clients see it (redacted if it was). */
function currentContent(store: RoomStore, type: string): Record<string, unknown> | undefined {
  const id = store.currentStateId(type, '');
  const row = id === undefined ? undefined : getEventRow(store.sql, id);
  if (!row) return undefined;
  const pdu = JSON.parse(row.json) as Record<string, unknown>;
  const shown = row.redacted_because === null ? pdu : redactEvent(pdu, store.version.redaction);
  return (shown.content ?? {}) as Record<string, unknown>;
}

export function enqueueSummary(store: RoomStore, stream: number): void {
  const payload: SummaryPayload = { summary: summaryFromState((type) => currentContent(store, type)), stream };
  enqueue(store.sql, 'summary', store.roomId, stream, payload);
}
