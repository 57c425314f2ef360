// Filters (client-server "Filtering"; definitions sync_filter.yaml, event_filter.yaml,
// room_event_filter.yaml): the exact types, the zod schema that validates an uploaded or
// inline filter, and the pure matching rules /sync and /messages apply.
// Unknown keys are kept, not refused: clients send extensions (e.g. `presence.enabled`).
import * as z from 'zod';

/** event_filter.yaml */
export interface EventFilter {
  /** "The maximum number of events to return." */
  limit?: number;
  not_senders?: string[];
  not_types?: string[];
  senders?: string[];
  types?: string[];
}

/** room_event_filter.yaml: an EventFilter plus room, URL and lazy-loading options. */
export interface RoomEventFilter extends EventFilter {
  unread_thread_notifications?: boolean;
  lazy_load_members?: boolean;
  include_redundant_members?: boolean;
  not_rooms?: string[];
  rooms?: string[];
  contains_url?: boolean;
}

/** sync_filter.yaml `room` (RoomFilter). */
export interface RoomFilter {
  not_rooms?: string[];
  rooms?: string[];
  ephemeral?: RoomEventFilter;
  include_leave?: boolean;
  state?: RoomEventFilter;
  timeline?: RoomEventFilter;
  account_data?: RoomEventFilter;
}

/** sync_filter.yaml (Filter). */
export interface Filter {
  event_fields?: string[];
  event_format?: 'client' | 'federation';
  presence?: EventFilter;
  account_data?: EventFilter;
  room?: RoomFilter;
}

const strings = z.array(z.string());
// `format: mx-user-id, pattern: "^@"` / `format: mx-room-id, pattern: "^!"`. Only the sigil is
// checked, as the yaml's pattern does: a filter naming a malformed ID simply matches nothing.
const userIds = z.array(z.string().startsWith('@', 'must be a user ID starting with @'));
const roomIds = z.array(z.string().startsWith('!', 'must be a room ID starting with !'));

// "must be an integer greater than 0" — but widely used clients send `limit: 0` to skip
// history on an initial /sync (Synapse accepts it), so zero is allowed; negatives are not.
const limit = z.number().int('must be an integer').min(0, 'must not be negative');

const eventFilterShape = {
  limit: limit.optional(),
  not_senders: userIds.optional(),
  not_types: strings.optional(),
  senders: userIds.optional(),
  types: strings.optional(),
};

export const eventFilterSchema: z.ZodType<EventFilter> = z.looseObject(eventFilterShape);

export const roomEventFilterSchema: z.ZodType<RoomEventFilter> = z.looseObject({
  ...eventFilterShape,
  unread_thread_notifications: z.boolean().optional(),
  lazy_load_members: z.boolean().optional(),
  include_redundant_members: z.boolean().optional(),
  not_rooms: roomIds.optional(),
  rooms: roomIds.optional(),
  contains_url: z.boolean().optional(),
});

export const roomFilterSchema: z.ZodType<RoomFilter> = z.looseObject({
  not_rooms: roomIds.optional(),
  rooms: roomIds.optional(),
  ephemeral: roomEventFilterSchema.optional(),
  include_leave: z.boolean().optional(),
  state: roomEventFilterSchema.optional(),
  timeline: roomEventFilterSchema.optional(),
  account_data: roomEventFilterSchema.optional(),
});

export const filterSchema: z.ZodType<Filter> = z.looseObject({
  event_fields: strings.optional(),
  event_format: z.enum(['client', 'federation']).optional(),
  presence: eventFilterSchema.optional(),
  account_data: eventFilterSchema.optional(),
  room: roomFilterSchema.optional(),
});

export type FilterOutcome<T> = { ok: true; filter: T } | { ok: false; field: string; reason: string };

function outcome<T>(schema: z.ZodType<T>, value: unknown): FilterOutcome<T> {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, filter: result.data };
  const issue = result.error.issues[0]!;
  return { ok: false, field: issue.path.map(String).join('.'), reason: issue.message };
}

/** Validates a Filter (uploaded, or inline JSON in `/sync?filter=`). */
export const parseFilter = (value: unknown): FilterOutcome<Filter> => outcome(filterSchema, value);

/** Validates a RoomEventFilter (inline JSON in `/messages?filter=`, `/context?filter=`). */
export const parseRoomEventFilter = (value: unknown): FilterOutcome<RoomEventFilter> =>
  outcome(roomEventFilterSchema, value);

/**
 * Whether an event type matches a `types`/`not_types` entry: "A `*` can be used as a
 * wildcard to match any sequence of characters."
 */
export function typeMatches(pattern: string, type: string): boolean {
  if (!pattern.includes('*')) return pattern === type;
  const parts = pattern.split('*');
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  if (type.length < first.length + last.length || !type.startsWith(first) || !type.endsWith(last)) return false;
  // Greedy-free left-to-right scan over the middle pieces.
  let pos = first.length;
  const end = type.length - last.length;
  for (const piece of parts.slice(1, -1)) {
    const at = type.indexOf(piece, pos);
    if (at < 0 || at + piece.length > end) return false;
    pos = at + piece.length;
  }
  return true;
}

/** The fields of an event (or presence/account-data entry) that filters look at. */
export interface FilterableEvent {
  type: string;
  sender?: string;
  room_id?: string;
  content?: Record<string, unknown>;
}

/**
 * Applies an EventFilter's type and sender rules. "A matching [type/sender] will be excluded
 * even if it is listed in the `types`/`senders` filter"; an absent include list includes all.
 */
export function eventFilterAllows(filter: EventFilter | undefined, event: FilterableEvent): boolean {
  if (!filter) return true;
  if (filter.not_types?.some((p) => typeMatches(p, event.type))) return false;
  if (filter.types && !filter.types.some((p) => typeMatches(p, event.type))) return false;
  if (event.sender !== undefined) {
    if (filter.not_senders?.includes(event.sender)) return false;
    if (filter.senders && !filter.senders.includes(event.sender)) return false;
  }
  return true;
}

/** Room inclusion shared by RoomFilter and RoomEventFilter: `not_rooms` beats `rooms`. */
export function roomAllowed(filter: { rooms?: string[]; not_rooms?: string[] } | undefined, roomId: string): boolean {
  if (!filter) return true;
  if (filter.not_rooms?.includes(roomId)) return false;
  return !filter.rooms || filter.rooms.includes(roomId);
}

/**
 * Applies a RoomEventFilter: the EventFilter rules, the room lists, and `contains_url`
 * ("If `true`, includes only events with a `url` key in their content. If `false`,
 * excludes those events.").
 */
export function roomEventFilterAllows(filter: RoomEventFilter | undefined, event: FilterableEvent): boolean {
  if (!filter) return true;
  if (!eventFilterAllows(filter, event)) return false;
  if (event.room_id !== undefined && !roomAllowed(filter, event.room_id)) return false;
  if (filter.contains_url !== undefined) {
    const hasUrl = event.content !== undefined && Object.hasOwn(event.content, 'url');
    if (hasUrl !== filter.contains_url) return false;
  }
  return true;
}
