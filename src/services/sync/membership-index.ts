// Read-your-writes for the membership index: the room object's outbox updates D1's
// `room_memberships` right after the commit, but a client calling /joined_rooms or an initial
// /sync straight after its join could get there first. So the service that made a membership
// change writes the same row itself as soon as the room answers (idempotent: a row only
// moves to a newer room stream, so the outbox's later delivery is a no-op).
import { serverNameOf } from '../../core/ids/index.js';
import { applyMembershipChanges, type MembershipChange } from '../../db/room-memberships.js';
import { roomStub } from './stubs.js';

export async function recordMembershipChange(db: D1Database, serverName: string, change: MembershipChange, now: number): Promise<void> {
  try {
    if (serverNameOf(change.userId) !== serverName) return;
    await applyMembershipChanges(db, [change], now);
  } catch (e) {
    // The outbox delivers the same row; this write only makes it visible sooner.
    console.error('membership index: direct write failed', e);
  }
}

/** The same, for members whose events the caller did not see (a room's initial events). */
export async function recordMembershipsOf(env: Env, serverName: string, roomId: string, userIds: readonly string[], now: number): Promise<void> {
  const stub = roomStub(env, roomId);
  await Promise.all(
    userIds.map(async (userId) => {
      try {
        const r = await stub.membershipOf(userId);
        if (!r.ok || !r.membership) return;
        const m = r.membership;
        await recordMembershipChange(env.DB, serverName, { userId, roomId, membership: m.membership, eventId: m.eventId, stream: m.stream }, now);
      } catch (e) {
        console.error('membership index: direct write failed', e);
      }
    }),
  );
}
