// Lazy-loading room members in /sync (client-server "Lazy-loading room members"): which
// membership events the `state` section carries when `lazy_load_members` is set.
//
// - the members "required to display the senders of the timeline events";
// - the heroes: "When lazy-loading room members is enabled, the membership events for the
//   heroes MUST be included in the state, unless they are redundant";
// - the syncing user's own, "when they join a room, or when the full state of rooms is
//   requested";
// - and "When a sync is limited, the server MUST return membership events for events in the
//   gap ... regardless as to whether or not they are redundant" (the caller adds those).
// With `include_redundant_members` false, a member event the client already has is left out.

export interface LazyMembersInput {
  timelineSenders: readonly string[];
  heroes: readonly string[];
  self: string;
  /** The user just joined, or full state was asked for. */
  includeSelf: boolean;
}

/** The users whose current membership event the state section needs. */
export function lazyMemberUsers(input: LazyMembersInput): string[] {
  const users = new Set<string>(input.timelineSenders);
  for (const h of input.heroes) users.add(h);
  if (input.includeSelf) users.add(input.self);
  return [...users];
}

/**
 * Drops member events the client already holds. `known` maps a user to the member event ID
 * the client was last sent; `required` are event IDs that must be sent anyway (gap members).
 */
export function dropRedundantMembers<T extends { userId: string; eventId: string }>(
  members: readonly T[],
  known: ReadonlyMap<string, string>,
  required: ReadonlySet<string> = new Set(),
): T[] {
  return members.filter((m) => required.has(m.eventId) || known.get(m.userId) !== m.eventId);
}
