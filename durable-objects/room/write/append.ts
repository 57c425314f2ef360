// The synchronous heart of every write: store one event that has already been built,
// signed and checked, and update the DAG, state groups, current state, members and the
// outbox. Callers run it inside `ctx.storage.transactionSync`, so a failure anywhere rolls
// the whole event back and nothing awaits in between.
import type { AuthEvent, Pdu } from '../../../src/core/events/types.js';
import { powerLevelsView } from '../../../src/core/auth/index.js';
import { serverNameOf } from '../../../src/core/ids/index.js';
import { isSummaryStateType } from '../../../src/core/room-summary.js';
import { advanceExtremities, getEventRow, insertEdges, insertEvent, redactionsOf, setRedactedBecause, type EventRow } from '../store/events.js';
import { setMember } from '../store/current-state.js';
import { createGroup, lookupInGroup } from '../store/state-groups.js';
import { setCurrentGroup } from '../store/meta.js';
import { enqueue } from '../store/outbox.js';
import { recordTxn } from '../store/txns.js';
import { enqueueSummary } from './summary.js';
import { enqueueEventNotices } from '../user-delivery.js';
import type { RoomStore } from '../store/room-store.js';
import type { TxnKey } from '../api.js';

export interface AppendInput {
  eventId: string;
  /** The signed PDU as stored (no `unsigned`). */
  pdu: Pdu;
  auth: AuthEvent;
  /** The state group before the event (null only for the create event). */
  groupBefore: number | null;
  /** Why it was rejected; rejected events are kept but take no part in state or timeline. */
  rejected?: string | undefined;
  softFailed?: boolean | undefined;
  /** Whether the event builds on the current state (so current_state and members follow it). */
  advancesCurrentState: boolean;
  txn?: TxnKey | undefined;
  /**
   * Built by this server just now (a local send): no stored event can cite or redact it yet,
   * so the lookups for those are skipped. (A new event ID is a hash, or random in v1-2.)
   */
  fresh?: boolean | undefined;
}

export interface Appended {
  stream: number;
  groupAfter: number | null;
}

export function appendEvent(store: RoomStore, input: AppendInput, now: number): Appended {
  const { sql } = store;
  const { auth } = input;
  const accepted = input.rejected === undefined;
  const isState = auth.stateKey !== undefined;
  const membership = auth.type === 'm.room.member' && typeof auth.content.membership === 'string' ? auth.content.membership : null;

  let replaces: string | undefined;
  let groupAfter = input.groupBefore;
  if (isState && accepted) {
    replaces = input.advancesCurrentState
      ? store.currentStateId(auth.type, auth.stateKey!)
      : input.groupBefore === null
        ? undefined
        : lookupInGroup(sql, input.groupBefore, auth.type, auth.stateKey!);
    groupAfter = createGroup(sql, input.groupBefore, [[auth.type, auth.stateKey!, input.eventId]]);
  }

  const { unsigned: _unsigned, ...stored } = input.pdu;
  const stream = insertEvent(sql, {
    event_id: input.eventId,
    depth: auth.depth,
    type: auth.type,
    state_key: auth.stateKey ?? null,
    sender: auth.sender,
    origin_server_ts: auth.originServerTs,
    membership,
    rejected: input.rejected ?? null,
    soft_failed: input.softFailed ? 1 : 0,
    outlier: 0,
    redacts: auth.type === 'm.room.redaction' ? (auth.redacts ?? null) : null,
    redacted_because: null,
    sg_before: input.groupBefore,
    sg_after: groupAfter,
    replaces_state: replaces ?? null,
    json: JSON.stringify(stored),
  });
  insertEdges(sql, input.eventId, auth.prevEvents, auth.authEvents);
  store.remember(auth);
  if (input.txn) recordTxn(sql, auth.sender, input.txn, input.eventId, now);
  if (!accepted) return { stream, groupAfter };

  if (!input.softFailed) advanceExtremities(sql, input.eventId, auth.prevEvents, input.fresh);
  if (input.advancesCurrentState && !input.softFailed) {
    if (isState) {
      store.setCurrentState(auth.type, auth.stateKey!, input.eventId);
      if (membership !== null) recordMembership(store, auth.stateKey!, membership, input.eventId, stream, auth.content);
    }
    if (groupAfter !== null) {
      setCurrentGroup(sql, groupAfter);
      store.setCurrentGroup(groupAfter);
    }
  }
  const redacted = applyRedactions(store, auth, input.groupBefore, input.fresh);
  // The directory summary follows the current state, whatever changed it.
  const changesSummary =
    (isState && input.advancesCurrentState && !input.softFailed && auth.stateKey === '' && isSummaryStateType(auth.type)) ||
    (redacted !== undefined && redacted.state_key === '' && isSummaryStateType(redacted.type) && store.currentStateId(redacted.type, '') === redacted.event_id);
  if (changesSummary) enqueueSummary(store, stream);
  // The members' User objects (sync): delivered after the commit, see ../user-delivery.ts.
  if (!input.softFailed) enqueueEventNotices(sql, now, stream, { type: auth.type, stateKey: auth.stateKey, membership });
  return { stream, groupAfter };
}

/** members row + the outbox row that carries the change to the D1 membership index. */
export function recordMembership(
  store: RoomStore,
  userId: string,
  membership: string,
  eventId: string,
  stream: number,
  content: Record<string, unknown>,
): void {
  setMember(store.sql, userId, { membership, eventId, stream, displayname: content.displayname, avatarUrl: content.avatar_url });
  enqueue(store.sql, 'membership', userId, stream, { userId, roomId: store.roomId, membership, eventId, stream });
}

/**
 * Records which redaction redacts which event, in either arrival order. Room v3+ leave the
 * check to the server: "the redaction event is only applied if the sender's domain matches
 * the domain of the original event's sender, or the sender has the redact power level".
 */
function applyRedactions(store: RoomStore, event: AuthEvent, groupBefore: number | null, fresh = false): EventRow | undefined {
  const { sql } = store;
  let redacted: EventRow | undefined;
  if (event.type === 'm.room.redaction' && event.redacts !== undefined) {
    const target = getEventRow(sql, event.redacts);
    if (target && target.redacted_because === null && redactionApplies(store, event, target.sender, groupBefore)) {
      setRedactedBecause(sql, target.event_id, event.eventId);
      redacted = target;
    }
  }
  if (fresh) return redacted;
  for (const redaction of redactionsOf(sql, event.eventId)) {
    const r = store.authEvent(redaction.event_id);
    if (r && redactionApplies(store, r, event.sender, redaction.sg_before)) {
      setRedactedBecause(sql, event.eventId, r.eventId);
      break;
    }
  }
  return redacted;
}

function redactionApplies(store: RoomStore, redaction: AuthEvent, targetSender: string, group: number | null): boolean {
  if (serverNameOf(redaction.sender) === serverNameOf(targetSender)) return true;
  const lookup = store.groupLookup(group);
  const pl = powerLevelsView(store.version.auth, lookup('m.room.power_levels', '')?.content, lookup('m.room.create', '') ?? createEvent(store));
  return pl.userLevel(redaction.sender) >= pl.level('redact');
}

function createEvent(store: RoomStore): AuthEvent | undefined {
  const id = store.currentStateId('m.room.create', '');
  return id === undefined ? undefined : store.authEvent(id);
}
