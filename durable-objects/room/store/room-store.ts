// One room's store: the SQLite handle, the room's identity and version rules, and two bounded
// caches for the write path: parsed events for the auth rules, and current-state lookups
// (every send reads the create, power levels and sender's member events). Everything else
// reads SQLite directly. The caches only hold committed rows: writes go through
// `setCurrentState`, and a rolled-back transaction calls `rollback`, which empties them.
import { toAuthEvent } from '../../../src/core/events/format.js';
import { stateKey, type AuthEvent, type Pdu, type StateKey } from '../../../src/core/events/types.js';
import type { StateLookup } from '../../../src/core/auth/index.js';
import { getRoomVersion, type RoomVersion } from '../../../src/core/room-versions.js';
import { currentStateEventId, setCurrentState } from './current-state.js';
import { first, type Sql } from './sql.js';
import { lookupInGroup } from './state-groups.js';
import { readMeta, type RoomMeta } from './meta.js';

/** Parsed events kept in memory; the rest are read again from SQLite when needed. */
const AUTH_CACHE_SIZE = 4096;
/** Current-state keys remembered (with their event ID, or null for "absent"). */
const STATE_CACHE_SIZE = 4096;

export class RoomStore {
  private readonly cache = new Map<string, AuthEvent | null>();
  private readonly stateCache = new Map<StateKey, string | null>();

  constructor(
    readonly sql: Sql,
    readonly meta: RoomMeta,
    readonly version: RoomVersion,
  ) {}

  static open(sql: Sql): RoomStore | undefined {
    const meta = readMeta(sql);
    if (!meta) return undefined;
    const version = getRoomVersion(meta.roomVersion);
    if (!version) throw new Error(`room ${meta.roomId} has unknown version ${meta.roomVersion}`);
    return new RoomStore(sql, meta, version);
  }

  get roomId(): string {
    return this.meta.roomId;
  }

  /** The normalised view of a stored event (rejected ones included), or undefined. */
  authEvent(eventId: string): AuthEvent | undefined {
    const hit = this.cache.get(eventId);
    if (hit !== undefined) {
      // Refresh its place in the LRU order.
      this.cache.delete(eventId);
      this.cache.set(eventId, hit);
      return hit ?? undefined;
    }
    const row = first<{ json: string }>(this.sql, 'SELECT json FROM events WHERE event_id = ?', eventId);
    const event = row ? toAuthEvent(JSON.parse(row.json) as Pdu, eventId, this.roomId, this.version) : undefined;
    if (event) this.remember(event);
    return event;
  }

  remember(event: AuthEvent): void {
    this.cache.set(event.eventId, event);
    if (this.cache.size > AUTH_CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
  }

  isRejected(eventId: string): boolean {
    return first(this.sql, 'SELECT 1 AS x FROM events WHERE event_id = ? AND rejected IS NOT NULL', eventId) !== undefined;
  }

  /** The event ID at (type, stateKey) in the current state. */
  currentStateId(type: string, key: string): string | undefined {
    const k = stateKey(type, key);
    const hit = this.stateCache.get(k);
    if (hit !== undefined) return hit ?? undefined;
    const id = currentStateEventId(this.sql, type, key);
    if (this.stateCache.size >= STATE_CACHE_SIZE) this.stateCache.clear();
    this.stateCache.set(k, id ?? null);
    return id;
  }

  /** Writes one current-state entry (null removes it); the only writer of current_state. */
  setCurrentState(type: string, key: string, eventId: string | null): void {
    setCurrentState(this.sql, type, key, eventId);
    if (this.stateCache.size >= STATE_CACHE_SIZE) this.stateCache.clear();
    this.stateCache.set(stateKey(type, key), eventId);
  }

  /** After a rolled-back write: the current group as it was, and no cached row that may not exist. */
  rollback(currentGroup: number | null): void {
    this.meta.currentGroup = currentGroup;
    this.stateCache.clear();
    this.cache.clear();
  }

  /** The current state, as the auth rules read it. */
  readonly currentLookup: StateLookup = (type, key) => {
    const id = this.currentStateId(type, key);
    return id === undefined ? undefined : this.authEvent(id);
  };

  /** The state of a state group, as the auth rules read it. */
  groupLookup(group: number | null): StateLookup {
    if (group === null) return () => undefined;
    return (type, key) => {
      const id = lookupInGroup(this.sql, group, type, key);
      return id === undefined ? undefined : this.authEvent(id);
    };
  }

  setCurrentGroup(group: number): void {
    this.meta.currentGroup = group;
  }
}
