// Who created the room, by room version: `content.creator` of m.room.create (v1-10), its
// `sender` (v11+), plus `additional_creators` (v12, the "room creators" with infinite power).

import type { AuthEvent } from '../events/types.js';
import type { AuthRules } from './rules.js';

/**
 * "The creator" as the join rule 4.3.1 ("the only previous event is an m.room.create and the
 * state_key is the creator") names it: `content.creator` before v11, the sender from v11.
 */
export function creatorOf(rules: AuthRules, create: AuthEvent | undefined): string | undefined {
  if (!create) return undefined;
  if (rules.useCreateSenderAsCreator) return create.sender;
  const creator = create.content['creator'];
  return typeof creator === 'string' ? creator : undefined;
}

/**
 * v12 "room creators": the create event's sender and any user IDs in
 * `content.additional_creators`. Before v12, the single creator of `creatorOf`.
 */
export function roomCreators(rules: AuthRules, create: AuthEvent | undefined): ReadonlySet<string> {
  const creators = new Set<string>();
  const creator = creatorOf(rules, create);
  if (creator !== undefined) creators.add(creator);
  if (rules.privilegedCreators && create) {
    const additional = create.content['additional_creators'];
    if (Array.isArray(additional)) {
      for (const id of additional) if (typeof id === 'string') creators.add(id);
    }
  }
  return creators;
}
