// The published-directory summary of a room ("Published room directory", the chunk of
// GET /publicRooms): a few fields of its current state. Pure, so that both the room object
// (which notices every state change, including redactions and state resolution) and the
// services compute it the same way.

/** The state types a summary is made of. */
export const SUMMARY_STATE_TYPES: readonly string[] = [
  'm.room.create',
  'm.room.name',
  'm.room.topic',
  'm.room.canonical_alias',
  'm.room.avatar',
  'm.room.join_rules',
  'm.room.history_visibility',
  'm.room.guest_access',
];

const SUMMARY_TYPES = new Set(SUMMARY_STATE_TYPES);

export const isSummaryStateType = (type: string): boolean => SUMMARY_TYPES.has(type);

export interface RoomSummaryFields {
  name: string | null;
  topic: string | null;
  canonical_alias: string | null;
  avatar_url: string | null;
  join_rule: string | null;
  history_visibility: string | null;
  guest_access: string | null;
  room_type: string | null;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** The `text/plain` topic: from the `m.topic` block if it has one, else the `topic` string. */
export function plainTopic(content: Record<string, unknown> | undefined): string | null {
  const block = (content?.['m.topic'] as { 'm.text'?: unknown } | undefined)?.['m.text'];
  if (Array.isArray(block)) {
    const plain = block.find(
      (r: { mimetype?: unknown; body?: unknown }) => (r?.mimetype ?? 'text/plain') === 'text/plain' && typeof r?.body === 'string',
    );
    if (plain) return str(plain.body);
  }
  return str(content?.topic);
}

/** A summary from the room's current state (`get` answers a state type's content, redacted if it was). */
export function summaryFromState(get: (type: string) => Record<string, unknown> | undefined): RoomSummaryFields {
  return {
    name: str(get('m.room.name')?.name),
    topic: plainTopic(get('m.room.topic')),
    canonical_alias: str(get('m.room.canonical_alias')?.alias),
    avatar_url: str(get('m.room.avatar')?.url),
    join_rule: str(get('m.room.join_rules')?.join_rule),
    history_visibility: str(get('m.room.history_visibility')?.history_visibility),
    guest_access: str(get('m.room.guest_access')?.guest_access),
    room_type: str(get('m.room.create')?.type),
  };
}
