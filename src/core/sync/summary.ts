// The room summary of a joined room in /sync (`summary`): "m.heroes ... This should be the
// first 5 members of the room, ordered by stream ordering, which are joined or invited. The
// list must never include the client's own user ID. When no joined or invited members are
// available, this should consist of the banned and left users."

export const HERO_COUNT = 5;

export interface HeroCandidate {
  userId: string;
  membership: string;
  /** The room stream of the member's current membership event. */
  stream: number;
}

/** "Required if the room's m.room.name or m.room.canonical_alias state events are unset or empty." */
export function needsHeroes(name: unknown, canonicalAlias: unknown): boolean {
  const set = (v: unknown) => typeof v === 'string' && v !== '';
  return !set(name) && !set(canonicalAlias);
}

/** Picks the heroes from candidates (any order): joined/invited first, else left/banned. */
export function pickHeroes(candidates: readonly HeroCandidate[], self: string, count = HERO_COUNT): string[] {
  const others = candidates.filter((c) => c.userId !== self).sort((a, b) => a.stream - b.stream || (a.userId < b.userId ? -1 : 1));
  const present = others.filter((c) => c.membership === 'join' || c.membership === 'invite');
  const pool = present.length > 0 ? present : others.filter((c) => c.membership === 'leave' || c.membership === 'ban');
  return pool.slice(0, count).map((c) => c.userId);
}
