// Local writes: room creation and sending events. Plan (synchronous reads) → sign (the one
// await) → commit (one synchronous transaction that re-checks nothing moved, re-runs the
// auth rules against the current state and stores). If another write slipped in between,
// the plan is rebuilt; the Room object also queues its writes so that is rare.
import { checkAuth, creatorOf } from '../../../src/core/auth/index.js';
import { checkContentHash, computeEventId, computeRoomId } from '../../../src/core/crypto/hashes.js';
import { toAuthEvent } from '../../../src/core/events/format.js';
import type { Pdu } from '../../../src/core/events/types.js';
import { serverNameOf } from '../../../src/core/ids/index.js';
import { getRoomVersion } from '../../../src/core/room-versions.js';
import type { Signer } from '../../../src/platform/signer.js';
import { maxStream, getEventRow } from '../store/events.js';
import { writeMeta, type RoomMeta } from '../store/meta.js';
import { RoomStore } from '../store/room-store.js';
import { eventForTxn } from '../store/txns.js';
import type { Sql } from '../store/sql.js';
import type { CreateRoomInput, CreateRoomResult, RoomFailure, SendEventInput, SendEventResult } from '../api.js';
import { appendEvent } from './append.js';
import { localAuthContext } from './auth-context.js';
import { Planner, type PlannedEvent } from './plan.js';
import { signPlanned } from './sign.js';

export interface WriteContext {
  sql: Sql;
  origin: string;
  now: number;
  signer: Signer;
  randomLocalpart: () => string;
  /** `ctx.storage.transactionSync`. */
  transaction<T>(fn: () => T): T;
}

const fail = (errcode: RoomFailure['errcode'], error: string): RoomFailure => ({ ok: false, errcode, error });

class Refused extends Error {}

/**
 * Stores planned, signed events in one transaction, or nothing: refuses if the room moved
 * since planning ('stale'), or if an event no longer passes the auth rules.
 */
export function commit(
  ctx: WriteContext,
  store: RoomStore,
  events: readonly PlannedEvent[],
  seenStream: number,
  before?: () => void,
): { streams: number[] } | 'stale' | RoomFailure {
  const savedGroup = store.meta.currentGroup;
  try {
    const authCtx = localAuthContext(ctx.origin);
    return ctx.transaction(() => {
      if (maxStream(ctx.sql) !== seenStream) return 'stale' as const;
      before?.();
      const streams: number[] = [];
      for (const e of events) {
        const outcome = checkAuth(store.version.auth, e.auth, store.currentLookup, authCtx);
        if (!outcome.ok) throw new Refused(outcome.reason);
        const { stream } = appendEvent(
          store,
          { eventId: e.eventId, pdu: e.pdu, auth: e.auth, groupBefore: store.meta.currentGroup, advancesCurrentState: true, txn: e.txn, fresh: true },
          ctx.now,
        );
        streams.push(stream);
      }
      return { streams };
    });
  } catch (e) {
    store.rollback(savedGroup);
    if (e instanceof Refused) return fail('M_FORBIDDEN', e.message);
    throw e;
  }
}

/** Checks the service-built create event and turns it into a planned event of a new store. */
function acceptCreateEvent(
  ctx: WriteContext,
  pdu: Pdu,
  belongsHere: (roomId: string) => boolean,
): { store: RoomStore; planned: PlannedEvent } | RoomFailure {
  if (typeof pdu !== 'object' || pdu === null || pdu.type !== 'm.room.create' || pdu.state_key !== '') {
    return fail('M_BAD_JSON', 'createEvent is not an m.room.create event');
  }
  const content = typeof pdu.content === 'object' && pdu.content !== null ? pdu.content : {};
  // "room_version: The version of the room. Defaults to "1" if the key does not exist."
  const versionId = content.room_version ?? '1';
  const version = typeof versionId === 'string' ? getRoomVersion(versionId) : undefined;
  if (!version) return fail('M_UNSUPPORTED_ROOM_VERSION', `unsupported room version ${String(versionId)}`);
  if (serverNameOf(pdu.sender) !== ctx.origin) return fail('M_FORBIDDEN', 'the create event must be sent by a local user');
  if (!checkContentHash(pdu, version)) return fail('M_BAD_JSON', 'the create event content hash does not match');
  let eventId: string;
  try {
    eventId = computeEventId(pdu, version);
  } catch (e) {
    return fail('M_BAD_JSON', (e as Error).message);
  }
  const roomId = computeRoomId(pdu, version) ?? pdu.room_id;
  if (typeof roomId !== 'string' || !belongsHere(roomId)) return fail('M_INVALID_PARAM', 'the create event is not for this room');
  const auth = toAuthEvent(pdu, eventId, roomId, version);
  const outcome = checkAuth(version.auth, auth, () => undefined);
  if (!outcome.ok) return fail('M_BAD_JSON', `invalid create event: ${outcome.reason}`);
  const meta: RoomMeta = {
    roomId,
    roomVersion: version.id,
    creator: creatorOf(version.auth, auth) ?? pdu.sender,
    createdTs: pdu.origin_server_ts,
    currentGroup: null,
  };
  return { store: new RoomStore(ctx.sql, meta, version), planned: { eventId, pdu, auth } };
}

export async function createRoom(
  ctx: WriteContext,
  input: CreateRoomInput,
  belongsHere: (roomId: string) => boolean,
): Promise<{ result: CreateRoomResult; store?: RoomStore }> {
  const accepted = acceptCreateEvent(ctx, input.createEvent, belongsHere);
  if ('ok' in accepted) return { result: accepted };
  const { store, planned: create } = accepted;
  const planner = new Planner({ store, origin: ctx.origin, now: ctx.now, randomLocalpart: ctx.randomLocalpart });
  planner.assume(create);
  const planned: PlannedEvent[] = [create];
  for (const local of input.initialEvents ?? []) {
    const r = planner.plan(local);
    if (!r.ok) return { result: r };
    planned.push(r.planned);
  }
  const signed = await signPlanned(planned, ctx.signer, ctx.origin, store.version);
  if (!Array.isArray(signed)) return { result: signed };
  const committed = commit(ctx, store, signed, 0, () => writeMeta(ctx.sql, store.meta));
  if (committed === 'stale') return { result: fail('M_ROOM_IN_USE', 'the room already exists') };
  if ('ok' in committed) return { result: committed };
  return {
    result: { ok: true, roomId: store.roomId, roomVersion: store.version.id, createEventId: create.eventId, eventIds: signed.slice(1).map((e) => e.eventId) },
    store,
  };
}

export async function sendEvent(ctx: WriteContext, store: RoomStore, input: SendEventInput): Promise<SendEventResult> {
  const dedup = () => {
    if (!input.txn) return undefined;
    const eventId = eventForTxn(ctx.sql, input.sender, input.txn);
    if (eventId === undefined) return undefined;
    return { ok: true as const, eventId, stream: getEventRow(ctx.sql, eventId)?.stream ?? 0, deduplicated: true };
  };
  for (let attempt = 0; attempt < 5; attempt++) {
    const seen = dedup();
    if (seen) return seen;
    const seenStream = maxStream(ctx.sql);
    const planner = new Planner({ store, origin: ctx.origin, now: ctx.now, randomLocalpart: ctx.randomLocalpart });
    const r = planner.plan(input, input.txn);
    if (!r.ok) return r;
    const signed = await signPlanned([r.planned], ctx.signer, ctx.origin, store.version);
    if (!Array.isArray(signed)) return signed;
    const committed = commit(ctx, store, signed, seenStream);
    if (committed === 'stale') continue;
    if ('ok' in committed) return committed;
    return { ok: true, eventId: r.planned.eventId, stream: committed.streams[0]!, deduplicated: false };
  }
  return fail('M_UNKNOWN', 'the room is too busy; try again');
}
