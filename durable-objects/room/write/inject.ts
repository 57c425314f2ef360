// Receiving already-signed PDUs (federation, tests), following server-server "Checks
// performed on receipt of a PDU": 1. format, 2. signatures, 3. hashes (a mismatch redacts
// the event), 4. auth against its auth_events, 5. auth against the state before it,
// 6. auth against the current state (failing only this soft-fails it). Missing prev or
// auth events must have been fetched by the caller first: such events are dropped.
import { checkAuth, checkAuthEventsShape } from '../../../src/core/auth/index.js';
import { computeEventId } from '../../../src/core/crypto/hashes.js';
import { verifyEventHashesAndSignatures, type VerifyKeyLookup } from '../../../src/core/crypto/event-signing.js';
import { checkEventFormat, toAuthEvent } from '../../../src/core/events/format.js';
import { stateKey, type AuthEvent, type Pdu } from '../../../src/core/events/types.js';
import { createEventIdFromRoomId } from '../../../src/core/ids/index.js';
import { forwardExtremities, getEventRows, hasEvent } from '../store/events.js';
import type { RoomStore } from '../store/room-store.js';
import type { InjectEventResult } from '../api.js';
import { appendEvent } from './append.js';
import { receivedAuthContext } from './auth-context.js';
import { recomputeCurrentState, stateBefore } from './resolve.js';

export function injectEvent(store: RoomStore, raw: Pdu, keys: VerifyKeyLookup, now: number): InjectEventResult {
  const { sql, version } = store;
  // 1. "Is a valid event, otherwise it is dropped."
  const format = checkEventFormat(raw, version);
  if (!format.ok) return { outcome: 'dropped', reason: `invalid event: ${format.reason}` };
  if (raw.type === 'm.room.create') return { outcome: 'dropped', reason: 'the room already has a create event' };
  let eventId: string;
  try {
    eventId = computeEventId(raw, version);
  } catch (e) {
    return { outcome: 'dropped', reason: (e as Error).message };
  }
  if (hasEvent(sql, eventId)) return { eventId, outcome: 'duplicate' };
  // 2-3. "Passes signature checks, otherwise it is dropped. Passes hash checks, otherwise it
  // is redacted before being processed further."
  const verified = verifyEventHashesAndSignatures(raw as unknown as Record<string, unknown>, version, keys);
  if (!verified.ok) return { eventId, outcome: 'dropped', reason: verified.reason };
  const pdu = verified.event as unknown as Pdu;
  const event = toAuthEvent(pdu, eventId, undefined, version);
  if (event.roomId !== store.roomId) return { eventId, outcome: 'dropped', reason: 'the event is for another room' };

  const prevRows = getEventRows(sql, event.prevEvents);
  const authRows = getEventRows(sql, event.authEvents);
  const missing = [...event.prevEvents, ...event.authEvents].filter((id) => !prevRows.has(id) && !authRows.has(id));
  if (missing.length > 0) return { eventId, outcome: 'dropped', reason: `unknown prev/auth events: ${missing.join(', ')}` };

  const reject = (reason: string, groupBefore: number | null): InjectEventResult => {
    appendEvent(store, { eventId, pdu, auth: event, groupBefore, rejected: reason, advancesCurrentState: false }, now);
    return { eventId, outcome: 'rejected', reason };
  };

  // 4. "Passes authorization rules based on the event's auth events, otherwise it is rejected."
  const authEvents = event.authEvents.map((id) => store.authEvent(id)!);
  const rejectedAuth = event.authEvents.find((id) => authRows.get(id)?.rejected !== null);
  if (rejectedAuth) return reject(`auth event ${rejectedAuth} was rejected`, null);
  const shape = checkAuthEventsShape(version.auth, event, authEvents);
  if (!shape.ok) return reject(shape.reason, null);
  const byKey = new Map<string, AuthEvent>(authEvents.map((a) => [stateKey(a.type, a.stateKey ?? ''), a]));
  const createId = createEventIdFromRoomId(store.roomId);
  const create = createId ? store.authEvent(createId) : undefined;
  const authLookup = (type: string, key: string) =>
    byKey.get(stateKey(type, key)) ?? (type === 'm.room.create' && key === '' ? create : undefined);
  const authCtx = receivedAuthContext(pdu, eventId, version, keys);
  const byAuthEvents = checkAuth(version.auth, event, authLookup, authCtx);
  if (!byAuthEvents.ok) return reject(byAuthEvents.reason, null);

  // 5. "Passes authorization rules based on the state before the event, otherwise it is rejected."
  const prevGroups = event.prevEvents.map((id) => {
    const row = prevRows.get(id)!;
    return row.sg_after ?? row.sg_before;
  });
  const groupBefore = stateBefore(
    store,
    prevGroups.filter((g): g is number => g !== null),
  );
  const byState = checkAuth(version.auth, event, store.groupLookup(groupBefore), authCtx);
  if (!byState.ok) return reject(byState.reason, groupBefore);

  // 6. "Passes authorization rules based on the current state of the room, otherwise it is
  // 'soft failed'."
  const softFailed = !checkAuth(version.auth, event, store.currentLookup, authCtx).ok;
  const extremities = forwardExtremities(sql);
  const linear =
    !softFailed &&
    groupBefore === store.meta.currentGroup &&
    extremities.every((x) => event.prevEvents.includes(x.event_id));
  const { stream } = appendEvent(store, { eventId, pdu, auth: event, groupBefore, softFailed, advancesCurrentState: linear }, now);
  if (!softFailed && !linear) recomputeCurrentState(store, stream);
  return { eventId, outcome: softFailed ? 'soft_failed' : 'accepted' };
}
