// Room upgrades (module "Room Upgrades", POST /rooms/{roomId}/upgrade), following the
// spec's server behaviour steps: check the tombstone power, create the replacement room with
// `predecessor` and the transferable state, move local aliases, tombstone the old room and
// restrict its power levels.
import { UPGRADE_TRANSFERRED_STATE, planUpgradeRoom, restrictedOldPowerLevels } from '../../core/upgrade-room.js';
import type { RoomRpc } from '../../../durable-objects/room/api.js';
import type { JsonObject } from '../../core/events/types.js';
import { getRoomVersion } from '../../core/room-versions.js';
import * as directoryDb from '../../db/directory.js';
import { memberEventProfile } from '../profiles.js';
import {
  type Requester,
  type Result,
  type RoomsDeps,
  canSendState,
  fail,
  fromRoom,
  membershipIn,
  ok,
  roomPowerLevels,
  roomStub,
  stateContent,
} from './common.js';
import { createRoomFromPlan } from './create.js';
import { publish, refreshRoomSummary } from './directory.js';

export async function upgradeRoom(
  deps: RoomsDeps,
  requester: Requester,
  oldRoomId: string,
  newVersionId: string,
  additionalCreators: string[] | undefined,
): Promise<Result<{ replacement_room: string }>> {
  const newVersion = getRoomVersion(newVersionId);
  if (!newVersion) return fail(400, 'M_UNSUPPORTED_ROOM_VERSION', `This server does not support room version ${newVersionId}`);
  const user = requester.userId;
  const old = roomStub(deps.env, oldRoomId);

  // 1. "Checks that the user has permission to send m.room.tombstone events in the room."
  const [info, pl, membership] = await Promise.all([old.getRoomInfo(), roomPowerLevels(old), membershipIn(old, user)]);
  if (!info.ok || !pl) return fail(404, 'M_NOT_FOUND', `Room ${oldRoomId} is not known to this server`);
  if (membership !== 'join') return fail(403, 'M_FORBIDDEN', 'You are not in this room');
  if (!canSendState(pl, user, 'm.room.tombstone')) return fail(403, 'M_FORBIDDEN', 'You cannot upgrade this room');

  const types = [...UPGRADE_TRANSFERRED_STATE, 'm.room.create', 'm.room.canonical_alias'];
  const contents = await Promise.all(types.map((t) => stateContent(old, t)));
  const oldState = new Map<string, Record<string, unknown>>();
  types.forEach((t, i) => contents[i] && oldState.set(t, contents[i]));
  const last = await old.getMessages({ dir: 'b', limit: 1 });

  // 2-3. The replacement room with `predecessor`, copied `type` and the transferable state.
  const plan = planUpgradeRoom({
    newVersion,
    creator: user,
    creatorProfile: await memberEventProfile(deps.env.DB, user),
    oldRoomId,
    oldLastEventId: last.ok ? last.chunk[0]?.event_id : undefined,
    oldCreateContent: oldState.get('m.room.create') ?? {},
    oldState,
    additionalCreators,
    oldPrivilegedCreators: await oldCreators(old, info.info.roomVersion),
    oldVersion: getRoomVersion(info.info.roomVersion),
  });
  const canonical = oldState.get('m.room.canonical_alias');
  // Bans carry over, as Synapse does: a banned user must not walk into the replacement.
  const banned = await old.getMembers({ membership: 'ban', limit: 5000 });
  const bans = banned.ok ? banned.chunk.map((e) => e.state_key).filter((u): u is string => u !== undefined && u !== user) : [];
  const afterwards = [
    ...(canonical ? [{ type: 'm.room.canonical_alias', stateKey: '', content: canonical }] : []),
    ...bans.map((target) => ({ type: 'm.room.member', stateKey: target, content: { membership: 'ban' } })),
    ...(plan.restorePowerLevels ? [{ type: 'm.room.power_levels', stateKey: '', content: plan.restorePowerLevels }] : []),
  ];
  const created = await createRoomFromPlan(deps, newVersion, user, plan.events, undefined, afterwards);
  if (!created.ok) return created;
  const newRoomId = created.value.roomId;

  // 4. "Moves any local aliases to the new room."
  await directoryDb.moveAliases(deps.env.DB, oldRoomId, newRoomId);
  if ((await directoryDb.findVisibility(deps.env.DB, oldRoomId)) === 'public') {
    await publish(deps, newRoomId, 'public');
    await directoryDb.setVisibility(deps.env.DB, oldRoomId, 'private');
  } else {
    await refreshRoomSummary(deps, newRoomId);
  }

  // 5. "Sends a m.room.tombstone event to the old room to indicate that it is not intended to
  // be used any further."
  const tombstone = await old.sendEvent({
    sender: user,
    event: {
      type: 'm.room.tombstone',
      stateKey: '',
      content: { body: 'This room has been replaced', replacement_room: newRoomId },
    },
  });
  if (!tombstone.ok) return fromRoom(tombstone);
  // The old room's aliases now live in the new room; its canonical alias goes with them.
  if (canonical) {
    await old.sendEvent({ sender: user, event: { type: 'm.room.canonical_alias', stateKey: '', content: {} } });
  }

  // 6. "If possible, the power levels in the old room should also be modified to prevent
  // sending of events and inviting new users." Best effort: the upgrade has happened.
  const restricted = restrictedOldPowerLevels(oldState.get('m.room.power_levels'));
  if (restricted) {
    await old.sendEvent({ sender: user, event: { type: 'm.room.power_levels', stateKey: '', content: restricted as JsonObject } });
  }
  return ok({ replacement_room: newRoomId });
}

/** The old room's v12 "room creators": the create event's sender and `additional_creators`. */
async function oldCreators(old: RoomRpc, versionId: string): Promise<string[] | undefined> {
  if (!getRoomVersion(versionId)?.auth.privilegedCreators) return undefined;
  const create = await old.getStateEvent({ type: 'm.room.create', stateKey: '' });
  if (!create.ok) return undefined;
  const extra = create.event.content.additional_creators;
  return [create.event.sender, ...(Array.isArray(extra) ? extra.filter((u): u is string => typeof u === 'string') : [])];
}
