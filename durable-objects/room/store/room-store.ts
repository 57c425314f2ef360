// One room's store: the SQLite handle, the room's identity and version rules, and a bounded
// cache of parsed events for the auth rules. Everything else reads SQLite directly.
import { toAuthEvent } from '../../../src/core/events/format.js';
import type { AuthEvent, Pdu } from '../../../src/core/events/types.js';
import type { StateLookup } from '../../../src/core/auth/index.js';
import { getRoomVersion, type RoomVersion } from '../../../src/core/room-versions.js';
import { currentStateEventId } from './current-state.js';
import { first, type Sql } from './sql.js';
import { lookupInGroup } from './state-groups.js';
import { readMeta, type RoomMeta } from './meta.js';

/** Parsed events kept in memory; the rest are read again from SQLite when needed. */
const AUTH_CACHE_SIZE = 4096;

export class RoomStore {
  private readonly cache = new Map<string, AuthEvent | null>();

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

  /** The current state, as the auth rules read it. */
  readonly currentLookup: StateLookup = (type, key) => {
    const id = currentStateEventId(this.sql, type, key);
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
