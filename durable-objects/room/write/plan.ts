// Planning local events: from a client's template to a hashed (not yet signed) PDU that
// passes the authorisation rules against the current state. Pure reads of the store plus
// an in-memory overlay, so several events (room creation) can be planned in a row before
// one signing step and one synchronous commit.
import { authTypesForEvent, checkAuth, powerLevelsView, unreadablePowerLevel } from '../../../src/core/auth/index.js';
import { eventReference } from '../../../src/core/crypto/hashes.js';
import { buildEvent, nextDepth } from '../../../src/core/events/build.js';
import { toAuthEvent } from '../../../src/core/events/format.js';
import { stateKey, type AuthEvent, type EventReference, type Pdu, type StateKey } from '../../../src/core/events/types.js';
import type { StateLookup } from '../../../src/core/auth/index.js';
import { forwardExtremities, getEventRow } from '../store/events.js';
import { localAuthContext } from './auth-context.js';
import type { RoomStore } from '../store/room-store.js';
import type { LocalEvent, RoomFailure, TxnKey } from '../api.js';

/** "prev_events ... Must contain less than or equal to 20 events"; we cite at most 10. */
export const MAX_LOCAL_PREV_EVENTS = 10;

export interface PlannedEvent {
  eventId: string;
  /** Hashed, unsigned. */
  pdu: Pdu;
  auth: AuthEvent;
  txn?: TxnKey | undefined;
}

interface Known {
  eventId: string;
  depth: number;
  ref: EventReference;
  auth: AuthEvent;
}

export interface PlanContext {
  store: RoomStore;
  origin: string;
  now: number;
  /** Room v1-2: a random event ID localpart. */
  randomLocalpart: () => string;
}

const forbidden = (error: string): RoomFailure => ({ ok: false, errcode: 'M_FORBIDDEN', error });

/** Plans events in order, each on top of the previous one; fails as a whole on the first refusal. */
export class Planner {
  private readonly overlay = new Map<StateKey, Known>();
  /** Stored events read so far (the auth rules look the same few up several times). */
  private readonly knownStored = new Map<string, Known | null>();
  private extremities: Known[] | undefined;

  constructor(private readonly ctx: PlanContext) {}

  /** Seeds the overlay with an event planned elsewhere (the service-built create event). */
  assume(planned: PlannedEvent): void {
    const known = this.known(planned.eventId, planned.pdu, planned.auth);
    if (planned.auth.stateKey !== undefined) this.overlay.set(stateKey(planned.auth.type, planned.auth.stateKey), known);
    this.extremities = [known];
  }

  plan(local: LocalEvent, txn?: TxnKey): { ok: true; planned: PlannedEvent } | RoomFailure {
    const { store, origin } = this.ctx;
    const { version } = store;
    const template = local.event;
    const prev = this.currentExtremities().slice(0, MAX_LOCAL_PREV_EVENTS);
    const lookup = this.lookup;
    const authTypes = authTypesForEvent(version.auth, {
      type: template.type,
      sender: local.sender,
      stateKey: template.stateKey,
      content: template.content,
    });
    const authEvents: Known[] = [];
    for (const [type, key] of authTypes) {
      const k = this.knownAt(type, key);
      if (k) authEvents.push(k);
    }
    let built;
    try {
      built = buildEvent({
        version,
        roomId: store.roomId,
        sender: local.sender,
        origin,
        template,
        prevEvents: prev.map((p) => p.ref),
        authEvents: authEvents.map((a) => a.ref),
        depth: nextDepth(
          prev.map((p) => p.depth),
          version,
        ),
        originServerTs: local.originServerTs ?? this.ctx.now,
        eventIdLocalpart: version.eventFormat.eventIdInEvent ? this.ctx.randomLocalpart() : undefined,
      });
    } catch (e) {
      return { ok: false, errcode: 'M_BAD_JSON', error: `cannot build the event: ${(e as Error).message}` };
    }
    const auth = toAuthEvent(built.pdu, built.eventId, store.roomId, version);
    const outcome = checkAuth(version.auth, auth, lookup, localAuthContext(origin));
    if (!outcome.ok) return forbidden(outcome.reason);
    const redaction = this.checkRedaction(auth, lookup);
    if (redaction) return redaction;
    const levels = this.checkPowerLevels(auth);
    if (levels) return levels;
    const known = this.known(built.eventId, built.pdu, auth);
    if (auth.stateKey !== undefined) this.overlay.set(stateKey(auth.type, auth.stateKey), known);
    this.extremities = [known];
    return { ok: true, planned: { eventId: built.eventId, pdu: built.pdu, auth, txn } };
  }

  /** The state as planned so far: the overlay over the current state. */
  readonly lookup: StateLookup = (type, key) => this.knownAt(type, key)?.auth;

  private knownAt(type: string, key: string): Known | undefined {
    const o = this.overlay.get(stateKey(type, key));
    if (o) return o;
    const id = this.ctx.store.currentStateId(type, key);
    return id === undefined ? undefined : this.stored(id);
  }

  private currentExtremities(): Known[] {
    if (!this.extremities) {
      this.extremities = forwardExtremities(this.ctx.store.sql)
        .map((x) => this.stored(x.event_id))
        .filter((k): k is Known => k !== undefined);
    }
    return this.extremities;
  }

  private stored(eventId: string): Known | undefined {
    const memo = this.knownStored.get(eventId);
    if (memo !== undefined) return memo ?? undefined;
    const { store } = this.ctx;
    let known: Known | undefined;
    if (store.version.eventFormat.eventReferencesWithHashes) {
      // v1-2 cite the reference hash, which needs the whole PDU.
      const row = getEventRow(store.sql, eventId);
      if (row) {
        const pdu = JSON.parse(row.json) as Pdu;
        known = this.known(eventId, pdu, store.authEvent(eventId) ?? toAuthEvent(pdu, eventId, store.roomId, store.version));
      }
    } else {
      // v3+ cite the bare ID: the parsed event (usually cached) is enough.
      const auth = store.authEvent(eventId);
      if (auth) known = { eventId, depth: auth.depth, ref: eventId, auth };
    }
    this.knownStored.set(eventId, known ?? null);
    return known;
  }

  private known(eventId: string, pdu: Pdu, auth: AuthEvent): Known {
    const version = this.ctx.store.version;
    // v1-2 cite [event_id, {sha256: reference hash}]; v3+ the bare ID.
    const ref = version.eventFormat.eventReferencesWithHashes ? eventReference(pdu, version) : eventId;
    return { eventId, depth: auth.depth, ref, auth };
  }

  /**
   * Power levels this server creates must read as power levels in the room's version. Before
   * v10 the auth rules allow a room's first m.room.power_levels unchecked (`{"ban": "x"}`
   * through createRoom), after which every change to it is refused: the room's power levels
   * could never change again.
   */
  private checkPowerLevels(event: AuthEvent): RoomFailure | undefined {
    if (event.type !== 'm.room.power_levels' || event.stateKey !== '') return undefined;
    const unreadable = unreadablePowerLevel(this.ctx.store.version.auth, event.content);
    return unreadable === undefined ? undefined : forbidden(`m.room.power_levels: ${unreadable}`);
  }

  /**
   * Client-server "Redactions": a user may redact their own events; redacting someone else's
   * needs the redact power level. (From room v3 the auth rules leave this to servers.)
   */
  private checkRedaction(event: AuthEvent, lookup: StateLookup): RoomFailure | undefined {
    if (event.type !== 'm.room.redaction') return undefined;
    if (event.redacts === undefined) return { ok: false, errcode: 'M_BAD_JSON', error: 'redaction without redacts' };
    const target = getEventRow(this.ctx.store.sql, event.redacts);
    if (!target || target.sender === event.sender) return undefined;
    const pl = powerLevelsView(this.ctx.store.version.auth, lookup('m.room.power_levels', '')?.content, lookup('m.room.create', ''));
    if (pl.userLevel(event.sender) >= pl.level('redact')) return undefined;
    return forbidden("You don't have permission to redact other users' events (below the redact power level)");
  }
}
