// Stored events in the client-server format (ClientEvent): redacted per the room version
// when redacted, with `unsigned.redacted_because`, `prev_content`/`replaces_state` for state
// events, `age`, and `transaction_id` for the device that sent them. A page is serialised
// with a few batched queries, never one per event.
import { redactEvent } from '../../../src/core/events/redaction.js';
import type { JsonObject } from '../../../src/core/events/types.js';
import { all, jsonList } from '../store/sql.js';
import { getEventRows, type EventRow } from '../store/events.js';
import { txnIdsFor } from '../store/txns.js';
import type { RoomStore } from '../store/room-store.js';
import type { ClientEvent, ClientUnsigned } from '../api.js';

export interface SerializeContext {
  store: RoomStore;
  now: number;
  /** Who reads (`asUser` and `deviceId`, or `tokenHash`): their own events carry `transaction_id`. */
  asUser?: string | undefined;
  deviceId?: string | undefined;
  tokenHash?: string | undefined;
}

type Json = Record<string, unknown>;

function contentOf(store: RoomStore, json: string, redacted: boolean): JsonObject {
  const pdu = JSON.parse(json) as Json;
  const shown = redacted ? redactEvent(pdu, store.version.redaction) : pdu;
  return (shown.content ?? {}) as JsonObject;
}

/** The event alone, redacted if it has been, without the batched `unsigned` extras. */
function baseEvent(store: RoomStore, row: EventRow, now: number): ClientEvent {
  const content = contentOf(store, row.json, row.redacted_because !== null);
  const event: ClientEvent = {
    content,
    event_id: row.event_id,
    origin_server_ts: row.origin_server_ts,
    room_id: store.roomId,
    sender: row.sender,
    type: row.type,
  };
  if (row.state_key !== null) event.state_key = row.state_key;
  // v1-10 carry `redacts` at the top level; v11 moved it into content, and like Synapse we
  // mirror it at the top level for clients that still look there.
  if (row.redacts !== null && row.redacted_because === null) event.redacts = row.redacts;
  event.unsigned = { age: Math.max(0, now - row.origin_server_ts) };
  return event;
}

export function serializeEvents(ctx: SerializeContext, rows: readonly EventRow[]): ClientEvent[] {
  const { store, now } = ctx;
  const redactionIds = rows.map((r) => r.redacted_because).filter((id): id is string => id !== null);
  const redactions = getEventRows(store.sql, redactionIds);
  const replaced = rows.map((r) => r.replaces_state).filter((id): id is string => id !== null);
  const prev = new Map(
    (replaced.length === 0
      ? []
      : all<{ event_id: string; json: string; redacted_because: string | null }>(
          store.sql,
          'SELECT event_id, json, redacted_because FROM events WHERE event_id IN (SELECT value FROM json_each(?))',
          jsonList(replaced),
        )
    ).map((r) => [r.event_id, contentOf(store, r.json, r.redacted_because !== null)]),
  );
  const txnIds = txnIdsFor(store.sql, { userId: ctx.asUser, deviceId: ctx.deviceId, tokenHash: ctx.tokenHash }, rows.map((r) => r.event_id));
  return rows.map((row) => {
    const event = baseEvent(store, row, now);
    const unsigned = event.unsigned as ClientUnsigned;
    if (row.replaces_state !== null) {
      unsigned.replaces_state = row.replaces_state;
      const content = prev.get(row.replaces_state);
      if (content) unsigned.prev_content = content;
    }
    const redaction = row.redacted_because === null ? undefined : redactions.get(row.redacted_because);
    if (redaction) unsigned.redacted_because = baseEvent(store, redaction, now);
    const txnId = txnIds.get(row.event_id);
    if (txnId !== undefined) unsigned.transaction_id = txnId;
    return event;
  });
}

/** Rows in the order of `eventIds`, skipping unknown ones. */
export function rowsInOrder(store: RoomStore, eventIds: readonly string[]): EventRow[] {
  const rows = getEventRows(store.sql, eventIds);
  return eventIds.map((id) => rows.get(id)).filter((r): r is EventRow => r !== undefined);
}
