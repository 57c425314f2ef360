// Room membership (client-server "Room membership": joining, knocking, inviting, leaving,
// forgetting, kicking, banning) as m.room.member events through the room object, which runs
// the auth rules; plus the membership reads (/joined_rooms, /members, /joined_members) and the
// propagation of profile changes ("Events on Change of Profile Information").
import type { ClientEvent, RoomRpc } from '../../../durable-objects/room/api.js';
import { memberContent } from '../../core/create-room.js';
import type { JsonObject } from '../../core/events/types.js';
import { parseRoomAlias, serverNameOf } from '../../core/ids/index.js';
import * as membershipDb from '../../db/rooms.js';
import { memberEventProfile } from '../profiles.js';
import { type Requester, type Result, type RoomsDeps, fail, fromRoom, membershipIn, nowOf, ok, roomStub, stateContent } from './common.js';
import { localProfiles } from './create.js';
import { resolveLocalAlias } from './directory.js';
import { restrictedJoinAuthoriser } from './restricted.js';
import { recordMembershipChange } from '../sync/membership-index.js';

/** Sends one m.room.member event through the room object (also used by third-party invites). */
export async function sendMember(
  deps: RoomsDeps,
  roomId: string,
  stub: RoomRpc,
  sender: string,
  target: string,
  content: Record<string, unknown>,
): Promise<Result<{ event_id: string }>> {
  const r = await stub.sendEvent({ sender, event: { type: 'm.room.member', stateKey: target, content: content as JsonObject } });
  // (The directory's joined-member counts come from the membership index, kept by the room.)
  if (!r.ok) return fromRoom(r);
  // Read-your-writes for /joined_rooms and an immediate /sync (the room's outbox follows).
  if (!r.deduplicated && typeof content.membership === 'string') {
    const change = { userId: target, roomId, membership: content.membership, eventId: r.eventId, stream: r.stream };
    await recordMembershipChange(deps.env.DB, deps.serverName, change, nowOf(deps));
  }
  return ok({ event_id: r.eventId });
}

const withReason = (reason: string | undefined): Record<string, unknown> => (reason !== undefined ? { reason } : {});

/**
 * A room ID, or a local alias resolved to one. Rooms on other servers need federation
 * (make_join / send_join), not supported yet: 404 M_NOT_FOUND says so.
 */
export async function resolveRoom(deps: RoomsDeps, roomIdOrAlias: string): Promise<Result<string>> {
  if (!roomIdOrAlias.startsWith('#')) return ok(roomIdOrAlias);
  const parsed = parseRoomAlias(roomIdOrAlias);
  if (parsed?.serverName !== deps.serverName) {
    return fail(404, 'M_NOT_FOUND', `Cannot resolve ${roomIdOrAlias}: aliases on other servers need federation, not supported yet`);
  }
  const roomId = await resolveLocalAlias(deps, roomIdOrAlias);
  return roomId ? ok(roomId) : fail(404, 'M_NOT_FOUND', `Room alias ${roomIdOrAlias} not found.`);
}

/**
 * The object answers M_NOT_FOUND for a room it never stored: unknown here, or a remote room
 * that only federation (not supported yet) could join.
 */
function unknownRoom(deps: RoomsDeps, r: Result<unknown>, roomId: string): Result<never> | undefined {
  if (r.ok || r.errcode !== 'M_NOT_FOUND') return undefined;
  if (serverNameOf(roomId) === deps.serverName) return fail(404, 'M_NOT_FOUND', `Unknown room ${roomId}`);
  return fail(404, 'M_NOT_FOUND', `Room ${roomId} is not known to this server (joining over federation is not supported yet)`);
}

// POST /join/{roomIdOrAlias}, POST /rooms/{roomId}/join
export async function joinRoom(
  deps: RoomsDeps,
  requester: Requester,
  roomIdOrAlias: string,
  opts: { reason?: string } = {},
): Promise<Result<{ room_id: string }>> {
  const resolved = await resolveRoom(deps, roomIdOrAlias);
  if (!resolved.ok) return resolved;
  const roomId = resolved.value;
  const stub = roomStub(deps.env, roomId);
  const [current, profile] = await Promise.all([
    stub.getStateEvent({ type: 'm.room.member', stateKey: requester.userId }),
    memberEventProfile(deps.env.DB, requester.userId),
  ]);
  const content = memberContent('join', profile, withReason(opts.reason));
  // Joining again with nothing changed sends no event (Synapse does the same).
  if (current.ok && current.event.content.membership === 'join' && sameProfile(current.event.content, content) && opts.reason === undefined) {
    return ok({ room_id: roomId });
  }
  // Guest access module: "Servers MUST only allow guest users to join rooms if the
  // m.room.guest_access state event is present on the room and has the guest_access value
  // can_join."
  if (requester.isGuest) {
    const ga = await stateContent(stub, 'm.room.guest_access');
    if (ga?.guest_access !== 'can_join') return fail(403, 'M_FORBIDDEN', 'Guest access is not allowed in this room');
  }
  // A restricted room joined through another room's membership names who authorised it.
  const currentMembership = current.ok ? current.event.content.membership : undefined;
  const authoriser = await restrictedJoinAuthoriser(deps, stub, requester.userId, typeof currentMembership === 'string' ? currentMembership : undefined);
  if (!authoriser.ok) return authoriser;
  if (authoriser.value !== undefined) content.join_authorised_via_users_server = authoriser.value;
  const r = await sendMember(deps, roomId, stub, requester.userId, requester.userId, content);
  return unknownRoom(deps, r, roomId) ?? (r.ok ? ok({ room_id: roomId }) : r);
}

function sameProfile(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  return a.displayname === b.displayname && a.avatar_url === b.avatar_url;
}

// POST /knock/{roomIdOrAlias}
export async function knockRoom(
  deps: RoomsDeps,
  requester: Requester,
  roomIdOrAlias: string,
  reason: string | undefined,
): Promise<Result<{ room_id: string }>> {
  const resolved = await resolveRoom(deps, roomIdOrAlias);
  if (!resolved.ok) return resolved;
  const roomId = resolved.value;
  const stub = roomStub(deps.env, roomId);
  const profile = await memberEventProfile(deps.env.DB, requester.userId);
  const r = await sendMember(deps, roomId, stub, requester.userId, requester.userId, memberContent('knock', profile, withReason(reason)));
  return unknownRoom(deps, r, roomId) ?? (r.ok ? ok({ room_id: roomId }) : r);
}

// POST /rooms/{roomId}/invite
export async function inviteUser(
  deps: RoomsDeps,
  requester: Requester,
  roomId: string,
  userId: string,
  reason: string | undefined,
): Promise<Result<object>> {
  const stub = roomStub(deps.env, roomId);
  // "The user has been invited to join the room, or was already invited to the room."
  if ((await membershipIn(stub, userId)) === 'invite' && (await membershipIn(stub, requester.userId)) === 'join') return ok({});
  const profiles = await localProfiles(deps, [userId]);
  const r = await sendMember(deps, roomId, stub, requester.userId, userId, memberContent('invite', profiles[userId], withReason(reason)));
  return r.ok ? ok({}) : r;
}

// POST /rooms/{roomId}/leave
export async function leaveRoom(deps: RoomsDeps, requester: Requester, roomId: string, reason: string | undefined): Promise<Result<object>> {
  const stub = roomStub(deps.env, roomId);
  const membership = await membershipIn(stub, requester.userId);
  // Leaving a room already left changes nothing.
  if (membership === 'leave') return ok({});
  if (membership === undefined) {
    const info = await stub.getRoomInfo();
    if (!info.ok) return fail(404, 'M_NOT_FOUND', `Room ${roomId} is not known to this server`);
    return fail(403, 'M_FORBIDDEN', 'You are not a member of this room');
  }
  const r = await sendMember(deps, roomId, stub, requester.userId, requester.userId, { membership: 'leave', ...withReason(reason) });
  return r.ok ? ok({}) : r;
}

// POST /rooms/{roomId}/forget
export async function forgetRoom(deps: RoomsDeps, requester: Requester, roomId: string): Promise<Result<object>> {
  const stub = roomStub(deps.env, roomId);
  const r = await stub.membershipOf(requester.userId);
  if (!r.ok) return fromRoom(r);
  const m = r.membership;
  // "If the user is currently joined to the room, they must leave the room before calling this API."
  if (m?.membership === 'join') return fail(400, 'M_UNKNOWN', `User ${requester.userId} is in room ${roomId}`);
  if (m === null) return fail(404, 'M_NOT_FOUND', `You have never been in room ${roomId}`);
  await membershipDb.forgetRoom(deps.env.DB, requester.userId, roomId, m.stream, nowOf(deps));
  return ok({});
}

/** Kick, ban and unban: a membership change by one user about another. */
async function moderate(
  deps: RoomsDeps,
  requester: Requester,
  roomId: string,
  target: string,
  membership: 'leave' | 'ban',
  reason: string | undefined,
  allowedFrom: readonly (string | undefined)[] | undefined,
  refusal: string,
): Promise<Result<object>> {
  const stub = roomStub(deps.env, roomId);
  if (allowedFrom && !allowedFrom.includes(await membershipIn(stub, target))) {
    const info = await stub.getRoomInfo();
    if (!info.ok) return fail(404, 'M_NOT_FOUND', `Room ${roomId} is not known to this server`);
    return fail(403, 'M_FORBIDDEN', refusal);
  }
  const r = await sendMember(deps, roomId, stub, requester.userId, target, { membership, ...withReason(reason) });
  return r.ok ? ok({}) : r;
}

// POST /rooms/{roomId}/kick — "The kickee is not currently in the room" is a 403; kicking a
// banned user would unban them, so that is refused too.
export const kickUser = (deps: RoomsDeps, requester: Requester, roomId: string, userId: string, reason?: string) =>
  moderate(deps, requester, roomId, userId, 'leave', reason, ['join', 'invite', 'knock'], `${userId} is not in the room`);

// POST /rooms/{roomId}/ban
export const banUser = (deps: RoomsDeps, requester: Requester, roomId: string, userId: string, reason?: string) =>
  moderate(deps, requester, roomId, userId, 'ban', reason, undefined, '');

// POST /rooms/{roomId}/unban
export const unbanUser = (deps: RoomsDeps, requester: Requester, roomId: string, userId: string, reason?: string) =>
  moderate(deps, requester, roomId, userId, 'leave', reason, ['ban'], `${userId} is not banned from the room`);

// GET /joined_rooms
export async function joinedRooms(deps: RoomsDeps, requester: Requester): Promise<{ joined_rooms: string[] }> {
  return { joined_rooms: await membershipDb.listRoomsWithMembership(deps.env.DB, requester.userId, 'join') };
}

/** Whether the user forgot the room since their last membership change ("will no longer be able to retrieve history"). */
export async function hasForgotten(deps: RoomsDeps, userId: string, roomId: string): Promise<boolean> {
  return membershipDb.isForgotten(deps.env.DB, userId, roomId);
}

export interface MembersQuery {
  at?: string;
  membership?: string;
  notMembership?: string;
}

// GET /rooms/{roomId}/members
export async function getMembers(deps: RoomsDeps, requester: Requester, roomId: string, q: MembersQuery): Promise<Result<{ chunk: ClientEvent[] }>> {
  if (await hasForgotten(deps, requester.userId, roomId)) return fail(403, 'M_FORBIDDEN', 'You have forgotten this room');
  const stub = roomStub(deps.env, roomId);
  const chunk: ClientEvent[] = [];
  let from: string | undefined;
  do {
    const page = await stub.getMembers({ asUser: requester.userId, deviceId: requester.deviceId, tokenHash: requester.tokenHash, ...q, from, limit: 5000 });
    if (!page.ok) return fromRoom(page);
    chunk.push(...page.chunk);
    from = page.next;
  } while (from !== undefined);
  return ok({ chunk });
}

// GET /rooms/{roomId}/joined_members
export async function getJoinedMembers(
  deps: RoomsDeps,
  requester: Requester,
  roomId: string,
): Promise<Result<{ joined: Record<string, { display_name?: string; avatar_url?: string }> }>> {
  const stub = roomStub(deps.env, roomId);
  const joined: Record<string, { display_name?: string; avatar_url?: string }> = {};
  let from: string | undefined;
  do {
    const page = await stub.getJoinedMembers({ asUser: requester.userId, from, limit: 10000 });
    if (!page.ok) return fromRoom(page);
    Object.assign(joined, page.joined);
    from = page.next;
  } while (from !== undefined);
  return ok({ joined });
}

/** How many rooms are updated at once when a profile changes. */
const PROFILE_FANOUT = 8;

/**
 * "an m.room.member event (with a join membership) is sent to every room the user is a
 * member of, to update the displayname and avatar_url": the hook for a changed displayname
 * or avatar_url (src/services/profiles.ts `membershipChanged`). Rooms where the new event is
 * refused (e.g. power levels forbid it) keep the old profile.
 */
export async function propagateProfileChange(deps: RoomsDeps, userId: string): Promise<void> {
  const [rooms, profile] = await Promise.all([
    membershipDb.listRoomsWithMembership(deps.env.DB, userId, 'join'),
    memberEventProfile(deps.env.DB, userId),
  ]);
  const queue = [...rooms];
  const worker = async () => {
    for (let roomId = queue.shift(); roomId !== undefined; roomId = queue.shift()) {
      const stub = roomStub(deps.env, roomId);
      const current = await stub.getStateEvent({ type: 'm.room.member', stateKey: userId });
      if (!current.ok || current.event.content.membership !== 'join') continue;
      const content = memberContent('join', profile);
      if (sameProfile(current.event.content, content)) continue;
      await stub.sendEvent({ sender: userId, event: { type: 'm.room.member', stateKey: userId, content: content as JsonObject } });
    }
  };
  await Promise.all(Array.from({ length: Math.min(PROFILE_FANOUT, rooms.length) }, worker));
}
