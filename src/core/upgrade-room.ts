// The replacement room of an upgrade ("Server behaviour" of the Room Upgrades module): which
// state the new room starts with and how the old room's power levels are restricted. Pure:
// the service reads the old room's state and sends these events in this order.
import {
  createEventContent,
  creatorsOf,
  defaultPowerLevels,
  fitPowerLevelsToVersion,
  memberContent,
  type MemberProfile,
  type PlannedStateEvent,
} from './create-room.js';
import { integerPowerLevels } from './auth/index.js';
import type { RoomVersion } from './room-versions.js';
import { isJsonObject } from './json/object.js';

/** "the recommended state events to transfer" to the replacement room. */
export const UPGRADE_TRANSFERRED_STATE: readonly string[] = [
  'm.room.server_acl',
  'm.room.encryption',
  'm.room.name',
  'm.room.avatar',
  'm.room.topic',
  'm.room.guest_access',
  'm.room.history_visibility',
  'm.room.join_rules',
  'm.room.power_levels',
];

export interface UpgradeInput {
  newVersion: RoomVersion;
  /** The user performing the upgrade: the new room's creator. */
  creator: string;
  creatorProfile?: MemberProfile;
  oldRoomId: string;
  /** The old room's last event (its tombstone's predecessor reference), if known. */
  oldLastEventId?: string;
  /** The old room's create content (for `type`). */
  oldCreateContent: Record<string, unknown>;
  /** The old room's current state of the transferable types (state_key ''). */
  oldState: ReadonlyMap<string, Record<string, unknown>>;
  /** `additional_creators` from the request; only used if the new version has creators. */
  additionalCreators?: readonly string[];
  /** The old room's v12 creators (infinite power), if it had privileged creators. */
  oldPrivilegedCreators?: readonly string[];
  /** The old room's version: its power levels are copied as the integers it reads them as. */
  oldVersion?: RoomVersion;
}

/**
 * The replacement room's events: 2. "a `m.room.create` event containing a `predecessor`
 * field, the applicable `room_version`, and a `type` field which is copied from the
 * `predecessor` room"; the creator's join; 3. the transferable state. Power levels are
 * copied with the upgrader raised to the power-levels level so the copied state can be
 * sent (Synapse does the same and restores the old value afterwards: `restorePowerLevels`).
 */
export function planUpgradeRoom(input: UpgradeInput): { events: PlannedStateEvent[]; restorePowerLevels?: Record<string, unknown> } {
  const { newVersion: version, creator } = input;
  const creation: Record<string, unknown> = {
    predecessor: input.oldLastEventId ? { room_id: input.oldRoomId, event_id: input.oldLastEventId } : { room_id: input.oldRoomId },
  };
  if (input.oldCreateContent.type !== undefined) creation.type = input.oldCreateContent.type;
  // "If the room being upgraded has additional creators, they are *not* automatically copied".
  if (version.auth.privilegedCreators && input.additionalCreators?.length) {
    creation.additional_creators = input.additionalCreators;
  }
  const create = createEventContent(version, creator, creation, []);
  const createContent = create.ok ? create.content : { ...creation, room_version: version.id };
  const creators = creatorsOf(version, creator, createContent);
  const events: PlannedStateEvent[] = [
    { type: 'm.room.create', stateKey: '', content: createContent },
    { type: 'm.room.member', stateKey: creator, content: memberContent('join', input.creatorProfile) },
  ];

  // String levels (v1-9) and float ones (v1-5) would be refused from v10 (and floats from
  // v6): copy the integers the old room reads them as, as Synapse does.
  const copiedPl = input.oldState.get('m.room.power_levels');
  const oldPl = copiedPl && input.oldVersion ? integerPowerLevels(input.oldVersion.auth, copiedPl) : copiedPl;
  let restorePowerLevels: Record<string, unknown> | undefined;
  if (oldPl) {
    let final = fitPowerLevelsToVersion(version, oldPl, creators);
    if (!version.auth.privilegedCreators && input.oldPrivilegedCreators?.length) {
      final = withFormerCreators(final, input.oldPrivilegedCreators);
    }
    const needed = powerLevelsRequirement(final);
    const users = isJsonObject(final.users) ? final.users : {};
    const own = typeof users[creator] === 'number' ? (users[creator] as number) : undefined;
    if (!version.auth.privilegedCreators && (own === undefined || own < needed)) {
      // Temporarily raise the upgrader so the remaining state is accepted.
      events.push({ type: 'm.room.power_levels', stateKey: '', content: { ...final, users: { ...users, [creator]: needed } } });
      restorePowerLevels = final;
    } else {
      events.push({ type: 'm.room.power_levels', stateKey: '', content: final });
    }
  } else {
    events.push({ type: 'm.room.power_levels', stateKey: '', content: defaultPowerLevels(version, creator, 'private_chat') });
  }
  for (const type of UPGRADE_TRANSFERRED_STATE) {
    if (type === 'm.room.power_levels') continue;
    const content = input.oldState.get(type);
    if (content) events.push({ type, stateKey: '', content });
  }
  return restorePowerLevels ? { events, restorePowerLevels } : { events };
}

/**
 * Downgrading from a version with privileged creators: their "infinitely high" power becomes
 * the highest level the room uses (at least 100), so they can still run the new room.
 */
function withFormerCreators(pl: Record<string, unknown>, creators: readonly string[]): Record<string, unknown> {
  const users: Record<string, unknown> = isJsonObject(pl.users) ? { ...pl.users } : {};
  const levels = [100, powerLevelsRequirement(pl), ...Object.values(users).filter((v): v is number => typeof v === 'number')];
  const events = isJsonObject(pl.events) ? Object.values(pl.events).filter((v): v is number => typeof v === 'number') : [];
  const top = Math.max(...levels, ...events);
  for (const c of creators) users[c] = top;
  return { ...pl, users };
}

/** The highest level any transferred state event needs under this power-levels content. */
function powerLevelsRequirement(pl: Record<string, unknown>): number {
  const events = isJsonObject(pl.events) ? pl.events : {};
  const stateDefault = typeof pl.state_default === 'number' ? pl.state_default : 50;
  let need = stateDefault;
  for (const type of UPGRADE_TRANSFERRED_STATE) {
    const level = events[type];
    need = Math.max(need, typeof level === 'number' ? level : stateDefault);
  }
  return need;
}

/**
 * 6. "the power levels in the old room should also be modified to prevent sending of events
 * and inviting new users. For example, setting `events_default` and `invite` to the greater
 * of `50` and `users_default + 1`." Undefined when no change is needed (or possible).
 */
export function restrictedOldPowerLevels(pl: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  // Without a power-levels event, a new one would strip the v1-11 creator's implicit 100.
  if (!pl) return undefined;
  const current = pl;
  const usersDefault = typeof current.users_default === 'number' ? current.users_default : 0;
  const restricted = Math.max(50, usersDefault + 1);
  const eventsDefault = typeof current.events_default === 'number' ? current.events_default : 0;
  const invite = typeof current.invite === 'number' ? current.invite : 0;
  if (eventsDefault >= restricted && invite >= restricted) return undefined;
  return { ...current, events_default: Math.max(eventsDefault, restricted), invite: Math.max(invite, restricted) };
}
