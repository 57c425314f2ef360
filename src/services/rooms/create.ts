// Room creation (POST /createRoom): resolves the version, alias and profiles, plans the
// initial events with core/create-room, builds the create event (whose hash is the room ID
// in v12) and has the new room's object store everything at once. Also the shared
// "build + create" step that room upgrades reuse.
import { type InitialStateEvent, type MemberProfile, type PlannedStateEvent, type RoomPreset, planCreateRoom } from '../../core/create-room.js';
import { buildCreateEvent } from '../../core/events/build.js';
import type { JsonObject } from '../../core/events/types.js';
import { parseRoomAlias } from '../../core/ids/index.js';
import { DEFAULT_ROOM_VERSION, type RoomVersion, getRoomVersion } from '../../core/room-versions.js';
import * as directoryDb from '../../db/directory.js';
import { randomString } from '../../platform/random.js';
import { memberEventProfile } from '../profiles.js';
import { type Failure, type Requester, type Result, type RoomsDeps, fail, fromRoom, nowOf, ok, roomStub, tooDeeplyNested } from './common.js';
import { publish } from './directory.js';
import { listedAliases } from './send.js';
import { recordMembershipsOf } from '../sync/membership-index.js';

export interface CreateRoomRequest {
  visibility?: 'public' | 'private';
  room_alias_name?: string;
  name?: string;
  topic?: string;
  invite?: string[];
  room_version?: string;
  creation_content?: Record<string, unknown>;
  initial_state?: InitialStateEvent[];
  preset?: RoomPreset;
  is_direct?: boolean;
  power_level_content_override?: Record<string, unknown>;
}

/** Profiles of the local users among `userIds`, for their membership events. */
export async function localProfiles(deps: RoomsDeps, userIds: readonly string[]): Promise<Record<string, MemberProfile>> {
  const local = userIds.filter((u) => u.endsWith(`:${deps.serverName}`));
  const profiles = await Promise.all(local.map((u) => memberEventProfile(deps.env.DB, u)));
  return Object.fromEntries(local.map((u, i) => [u, profiles[i]!]));
}

/**
 * Builds the create event from the plan's first event and has the room object store it with
 * the rest. v1-11 room IDs are `!random:server`; v12 room IDs are the create event's hash,
 * so two identical creations in the same millisecond would collide: the timestamp moves on.
 * `beforeCreate` runs once the room ID is known (e.g. to claim an alias) and may refuse.
 */
export async function createRoomFromPlan(
  deps: RoomsDeps,
  version: RoomVersion,
  creator: string,
  events: readonly PlannedStateEvent[],
  beforeCreate?: (roomId: string) => Promise<Failure | undefined>,
  afterwards: readonly PlannedStateEvent[] = [],
): Promise<Result<{ roomId: string }>> {
  const [create, ...rest] = events;
  const initialEvents = [...rest, ...afterwards].map((e) => ({
    sender: creator,
    event: { type: e.type, stateKey: e.stateKey, content: e.content as JsonObject },
  }));
  let ts = nowOf(deps);
  for (let attempt = 0; attempt < 3; attempt++, ts++) {
    let built: ReturnType<typeof buildCreateEvent>;
    try {
      built = buildCreateEvent({
        version,
        sender: creator,
        origin: deps.serverName,
        content: create!.content as JsonObject,
        originServerTs: ts,
        roomId: version.roomIdFromCreateEvent ? undefined : `!${randomString(18)}:${deps.serverName}`,
        eventIdLocalpart: version.eventFormat.eventIdInEvent ? randomString(18) : undefined,
      });
    } catch (e) {
      // From v6, canonical JSON refuses floats and integers beyond 2^53 (`creation_content: {"n": 1.5}`).
      return fail(400, 'M_BAD_JSON', `Cannot build the m.room.create event from creation_content: ${(e as Error).message}`);
    }
    const refused = await beforeCreate?.(built.roomId);
    if (refused) return refused;
    const result = await roomStub(deps.env, built.roomId).createRoom({ createEvent: built.pdu, initialEvents });
    if (result.ok) return ok({ roomId: result.roomId });
    if (result.errcode === 'M_ROOM_IN_USE') continue;
    // "The initial state implied by the parameters to the request is invalid: for example,
    // the user's power_level is set below that necessary to set the room name (errcode set
    // to M_INVALID_ROOM_STATE)."
    if (result.errcode === 'M_FORBIDDEN') return fail(400, 'M_INVALID_ROOM_STATE', result.error);
    return fromRoom(result);
  }
  return fail(500, 'M_UNKNOWN', 'Could not allocate a room ID');
}

/** The request's content fields nested deeper than events may be, as a failure. */
function tooDeep(req: CreateRoomRequest): Failure | undefined {
  return (
    tooDeeplyNested('creation_content', req.creation_content) ??
    tooDeeplyNested('power_level_content_override', req.power_level_content_override) ??
    (req.initial_state ?? []).reduce<Failure | undefined>((f, e, i) => f ?? tooDeeplyNested(`initial_state.${i}.content`, e.content), undefined)
  );
}

/**
 * An m.room.canonical_alias in `initial_state` gets the checks a state PUT gives it (send.ts):
 * "servers SHOULD ensure that any new aliases being listed in the event are valid per their
 * grammar/syntax and that they point to the room ID where the state event is to be sent".
 * No alias on this server can point to a room that does not exist yet; `room_alias_name`
 * replaces the entry, so it is not checked then.
 */
function checkInitialCanonicalAlias(deps: RoomsDeps, req: CreateRoomRequest): Failure | undefined {
  if (req.room_alias_name !== undefined) return undefined;
  const entry = (req.initial_state ?? []).filter((e) => e.type === 'm.room.canonical_alias' && (e.state_key ?? '') === '').pop();
  if (!entry) return undefined;
  const listed = listedAliases(entry.content);
  if (!listed.ok) return listed;
  for (const alias of listed.value) {
    const parsed = typeof alias === 'string' ? parseRoomAlias(alias) : undefined;
    if (!parsed) return fail(400, 'M_INVALID_PARAM', `Invalid room alias: ${String(alias)}`);
    if (parsed.serverName === deps.serverName) return fail(400, 'M_BAD_ALIAS', `The alias '${alias as string}' does not point to this room.`);
  }
  return undefined;
}

// POST /_matrix/client/v3/createRoom
export async function createRoom(deps: RoomsDeps, requester: Requester, given: CreateRoomRequest): Promise<Result<{ room_id: string }>> {
  // An empty room_alias_name asks for no alias (Synapse ignores it too); `#:server` is no alias.
  const req = given.room_alias_name === '' ? { ...given, room_alias_name: undefined } : given;
  const versionId = req.room_version ?? DEFAULT_ROOM_VERSION;
  const version = getRoomVersion(versionId);
  if (!version) return fail(400, 'M_UNSUPPORTED_ROOM_VERSION', `This server does not support room version ${versionId}`);
  const refused = tooDeep(req) ?? checkInitialCanonicalAlias(deps, req);
  if (refused) return refused;

  let alias: string | undefined;
  if (req.room_alias_name !== undefined) {
    alias = `#${req.room_alias_name}:${deps.serverName}`;
    if (!parseRoomAlias(alias) || /\s/.test(req.room_alias_name)) return fail(400, 'M_INVALID_PARAM', 'Invalid characters in room alias');
    if (await directoryDb.findAlias(deps.env.DB, alias)) return fail(400, 'M_ROOM_IN_USE', 'Room alias already taken');
  }

  const creator = requester.userId;
  const profiles = await localProfiles(deps, [creator, ...(req.invite ?? [])]);
  const plan = planCreateRoom({
    version,
    creator,
    creatorProfile: profiles[creator],
    visibility: req.visibility,
    preset: req.preset,
    canonicalAlias: alias,
    name: req.name,
    topic: req.topic,
    invite: req.invite,
    inviteProfiles: profiles,
    initialState: req.initial_state,
    powerLevelContentOverride: req.power_level_content_override,
    creationContent: req.creation_content,
    isDirect: req.is_direct,
  });
  if (!plan.ok) return fail(400, plan.errcode, plan.error);

  // The alias is claimed once the room ID is known, and released if creation fails.
  let claimed: string | undefined;
  const claimAlias = async (roomId: string): Promise<Failure | undefined> => {
    if (alias === undefined) return undefined;
    if (claimed) await directoryDb.deleteAlias(deps.env.DB, claimed);
    const taken = !(await directoryDb.insertAlias(deps.env.DB, { alias, roomId, creator, now: nowOf(deps) }));
    if (taken) return fail(400, 'M_ROOM_IN_USE', 'Room alias already taken');
    claimed = alias;
    return undefined;
  };
  const created = await createRoomFromPlan(deps, version, creator, plan.events, claimAlias);
  if (!created.ok) {
    if (claimed) await directoryDb.deleteAlias(deps.env.DB, claimed);
    return created;
  }
  const roomId = created.value.roomId;
  // Read-your-writes for /joined_rooms and an immediate /sync (the room's outbox follows).
  await recordMembershipsOf(deps.env, deps.serverName, roomId, [creator, ...(req.invite ?? [])], nowOf(deps));
  if (req.visibility === 'public') await publish(deps, roomId, 'public');
  return ok({ room_id: roomId });
}
