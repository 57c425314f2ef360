// Sync tokens. A `next_batch` is a position in the user's own sync stream (the User Durable
// Object's `stream` table): `s<position>`. It stays this short however many rooms the user
// is in, because the per-room positions it implies are looked up in that stream, not carried
// in the token. Positions are never reused, so a token keeps working across restarts.

const TOKEN = /^s(0|[1-9][0-9]{0,15})$/;

export const formatSyncToken = (position: number): string => `s${position}`;

/** The position a `since` token names, or undefined if it is not one of ours. */
export function parseSyncToken(token: string): number | undefined {
  const m = TOKEN.exec(token);
  if (!m) return undefined;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) ? n : undefined;
}
