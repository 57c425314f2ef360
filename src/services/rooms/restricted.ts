// Joining restricted rooms (client-server "Restricted rooms", room v8+; `knock_restricted`
// from v10). "When joining without an invite, the server MUST verify that the requesting user
// meets at least one of the conditions"; the only condition is `m.room_membership`: being
// joined to the room it names. The join event then carries `join_authorised_via_users_server`,
// a user of this server who is joined and "has sufficient power level to invite", which the
// auth rules check (and this server's signature, which every local event has).
import type { RoomRpc } from '../../../durable-objects/room/api.js';
import { serverNameOf } from '../../core/ids/index.js';
import { isJsonObject } from '../../core/json/object.js';
import { getRoomVersion } from '../../core/room-versions.js';
import { type Result, type RoomsDeps, fail, membershipIn, ok, roomPowerLevels, roomStub, stateContent } from './common.js';

/** Joined members read per page while looking for an authoriser among default-level users. */
const MEMBER_PAGE = 1000;

/**
 * The `join_authorised_via_users_server` for a user joining without an invite: undefined when
 * the join needs none (not a restricted room, or the user is invited or joined already), or a
 * failure: 403 M_FORBIDDEN when they meet no condition, 400 M_UNABLE_TO_GRANT_JOIN when no
 * local member could authorise the join.
 */
export async function restrictedJoinAuthoriser(
  deps: RoomsDeps,
  stub: RoomRpc,
  userId: string,
  membership: string | undefined,
): Promise<Result<string | undefined>> {
  // "If the user has an invite to the room then the restrictions will not affect them."
  if (membership === 'invite' || membership === 'join') return ok(undefined);
  const [info, joinRules] = await Promise.all([stub.getRoomInfo(), stateContent(stub, 'm.room.join_rules')]);
  if (!info.ok) return ok(undefined);
  const rules = getRoomVersion(info.info.roomVersion)?.auth;
  const rule = joinRules?.join_rule;
  const restricted = (rule === 'restricted' && rules?.restrictedJoinRule) || (rule === 'knock_restricted' && rules?.knockRestrictedJoinRule);
  // Other join rules (and these rules in versions without them) are the auth rules' business.
  if (!restricted) return ok(undefined);

  const allowed = Array.isArray(joinRules?.allow) ? joinRules.allow : [];
  const rooms = allowed
    .filter((c): c is Record<string, unknown> => isJsonObject(c) && c.type === 'm.room_membership' && typeof c.room_id === 'string')
    .map((c) => c.room_id as string);
  const memberships = await Promise.all(rooms.map((roomId) => membershipIn(roomStub(deps.env, roomId), userId)));
  if (!memberships.includes('join')) {
    return fail(403, 'M_FORBIDDEN', 'You are not invited, and not joined to any room this room allows to join (restricted join rule)');
  }
  const authoriser = await findAuthoriser(deps, stub, info.info.creator);
  if (authoriser === undefined) {
    return fail(400, 'M_UNABLE_TO_GRANT_JOIN', 'No user of this server in the room may invite, so the join cannot be authorised');
  }
  return ok(authoriser);
}

/**
 * A local joined member whose power level reaches `invite`: the most powerful of the creators
 * and the users power levels name, else any local joined member when the default level may invite.
 */
async function findAuthoriser(deps: RoomsDeps, stub: RoomRpc, creator: string): Promise<string | undefined> {
  const [pl, plContent, create] = await Promise.all([
    roomPowerLevels(stub),
    stateContent(stub, 'm.room.power_levels'),
    stateContent(stub, 'm.room.create'),
  ]);
  if (!pl) return undefined;
  const inviteLevel = pl.level('invite');
  const local = (u: string) => {
    try {
      return serverNameOf(u) === deps.serverName;
    } catch {
      return false;
    }
  };
  const named = new Set<string>([creator]);
  if (Array.isArray(create?.additional_creators)) for (const u of create.additional_creators) if (typeof u === 'string') named.add(u);
  if (isJsonObject(plContent?.users)) for (const u of Object.keys(plContent.users)) named.add(u);
  const candidates = [...named].filter((u) => local(u) && pl.userLevel(u) >= inviteLevel).sort((a, b) => pl.userLevel(b) - pl.userLevel(a));
  for (const u of candidates) if ((await membershipIn(stub, u)) === 'join') return u;
  if (pl.level('users_default') < inviteLevel) return undefined;
  let from: string | undefined;
  do {
    const page = await stub.getJoinedMembers({ from, limit: MEMBER_PAGE });
    if (!page.ok) return undefined;
    const found = Object.keys(page.joined).find((u) => local(u) && pl.userLevel(u) >= inviteLevel);
    if (found !== undefined) return found;
    from = page.next;
  } while (from !== undefined);
  return undefined;
}
