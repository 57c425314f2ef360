// Room creation (client-server "Creation", create_room.yaml): which state events a new room
// starts with, their content, and their order. Pure: the service resolves the room version,
// the alias and the users' profiles, then sends these events in this order. Upgrades reuse
// these pieces in upgrade-room.ts.
import { stateKey as key } from './events/types.js';
import { isValidUserId } from './ids/index.js';
import type { RoomVersion } from './room-versions.js';
import { isJsonObject } from './json/object.js';

export type RoomPreset = 'private_chat' | 'trusted_private_chat' | 'public_chat';

/** One `initial_state` entry: "an object with type, state_key and content keys set". */
export interface InitialStateEvent {
  type: string;
  /** "Defaults to an empty string." */
  state_key?: string;
  content: Record<string, unknown>;
}

/** The `displayname` / `avatar_url` a local user's membership events carry. */
export interface MemberProfile {
  displayname?: string;
  avatar_url?: string;
}

export interface CreateRoomInput {
  version: RoomVersion;
  creator: string;
  creatorProfile?: MemberProfile;
  visibility?: 'public' | 'private';
  preset?: RoomPreset;
  /** The full alias made from `room_alias_name` (`#name:server`), already checked free. */
  canonicalAlias?: string;
  name?: string;
  topic?: string;
  invite?: readonly string[];
  /** Profiles of local invitees, put into their invite events as Synapse does. */
  inviteProfiles?: Readonly<Record<string, MemberProfile>>;
  initialState?: readonly InitialStateEvent[];
  powerLevelContentOverride?: Record<string, unknown>;
  creationContent?: Record<string, unknown>;
  isDirect?: boolean;
}

/** A state event to send, in order; the first is always m.room.create. */
export interface PlannedStateEvent {
  type: string;
  stateKey: string;
  content: Record<string, unknown>;
}

export type CreateRoomPlan =
  | { ok: true; preset: RoomPreset; events: PlannedStateEvent[] }
  | { ok: false; errcode: 'M_BAD_JSON' | 'M_INVALID_ROOM_STATE'; error: string };

/** The preset table of create_room.yaml. */
const PRESETS: Readonly<Record<RoomPreset, { joinRule: string; historyVisibility: string; guestAccess: string }>> = {
  private_chat: { joinRule: 'invite', historyVisibility: 'shared', guestAccess: 'can_join' },
  trusted_private_chat: { joinRule: 'invite', historyVisibility: 'shared', guestAccess: 'can_join' },
  public_chat: { joinRule: 'public', historyVisibility: 'shared', guestAccess: 'forbidden' },
};

/**
 * "If unspecified, the server should use the `visibility` to determine which preset to use.
 * A visibility of `public` equates to a preset of `public_chat` and `private` visibility
 * equates to a preset of `private_chat`."
 */
export function effectivePreset(preset: RoomPreset | undefined, visibility: 'public' | 'private' | undefined): RoomPreset {
  return preset ?? (visibility === 'public' ? 'public_chat' : 'private_chat');
}

/** In v12 "the power level for sending `m.room.tombstone` events MUST explicitly be higher than `state_default`. For example, set to 150". */
export const V12_TOMBSTONE_LEVEL = 150;

/**
 * The default m.room.power_levels content (Synapse's defaults). "In room versions 1 through
 * 11, the room creator (and not other members) will be given permission to send state
 * events. In room versions 12 and later, the room creator is given infinite power level
 * and cannot be specified in the `users` field". Private presets let anyone invite.
 */
export function defaultPowerLevels(
  version: RoomVersion,
  creator: string,
  preset: RoomPreset,
  opts: { trustedInvitees?: readonly string[]; roomType?: unknown } = {},
): Record<string, unknown> {
  const users: Record<string, number> = {};
  if (!version.auth.privilegedCreators) {
    users[creator] = 100;
    // trusted_private_chat: "All invitees are given the same power level as the room creator."
    for (const invitee of opts.trustedInvitees ?? []) users[invitee] = 100;
  }
  return {
    users,
    users_default: 0,
    events: {
      'm.room.name': 50,
      'm.room.power_levels': 100,
      'm.room.history_visibility': 100,
      'm.room.canonical_alias': 50,
      'm.room.avatar': 50,
      'm.room.tombstone': version.auth.privilegedCreators ? V12_TOMBSTONE_LEVEL : 100,
      'm.room.server_acl': 100,
      'm.room.encryption': 100,
    },
    // Spaces: only moderators add children and post (as Synapse does for `m.space`).
    events_default: opts.roomType === 'm.space' ? 100 : 0,
    state_default: 50,
    ban: 50,
    kick: 50,
    redact: 50,
    invite: preset === 'public_chat' ? 50 : 0,
  };
}

/**
 * Makes power-levels content valid for a v12 room with these creators: creators "cannot be
 * specified in the `users` field", and tombstones need more than `state_default`.
 * Earlier versions get the content unchanged.
 */
export function fitPowerLevelsToVersion(
  version: RoomVersion,
  content: Record<string, unknown>,
  creators: Iterable<string>,
): Record<string, unknown> {
  if (!version.auth.privilegedCreators) return content;
  const out = { ...content };
  if (isJsonObject(out.users)) {
    const users = { ...out.users };
    for (const c of creators) delete users[c];
    out.users = users;
  }
  // `events` that is not an object is left for auth rule 10.2 to refuse, not replaced.
  if (out.events !== undefined && !isJsonObject(out.events)) return out;
  const stateDefault = typeof out.state_default === 'number' ? out.state_default : 50;
  const events = isJsonObject(out.events) ? { ...out.events } : {};
  const tombstone = events['m.room.tombstone'];
  if (typeof tombstone !== 'number' || tombstone <= stateDefault) {
    events['m.room.tombstone'] = Math.max(V12_TOMBSTONE_LEVEL, stateDefault + 1);
  }
  out.events = events;
  return out;
}

/**
 * The m.room.create content: `creation_content` plus the keys the server owns. "The server
 * will overwrite the following keys: `creator`, `room_version`" (`creator` only exists in
 * v1-10). For `trusted_private_chat` in v12, "the server SHOULD combine
 * `additional_creators` specified here and the `invite` array ..., deduplicating".
 */
export function createEventContent(
  version: RoomVersion,
  creator: string,
  creationContent: Record<string, unknown> | undefined,
  trustedInvitees: readonly string[],
): { ok: true; content: Record<string, unknown> } | { ok: false; error: string } {
  const content: Record<string, unknown> = { ...creationContent };
  delete content.creator;
  if (!version.auth.useCreateSenderAsCreator) content.creator = creator;
  content.room_version = version.id;
  if (version.auth.privilegedCreators) {
    const given = content.additional_creators;
    if (given !== undefined && (!Array.isArray(given) || !given.every((u) => typeof u === 'string' && isValidUserId(u)))) {
      // v12 auth rule 1.4 would reject the create event itself.
      return { ok: false, error: "creation_content.additional_creators must be a list of user IDs" };
    }
    const combined = [...new Set([...((given as string[] | undefined) ?? []), ...trustedInvitees])].filter(
      (u) => u !== creator,
    );
    if (combined.length > 0) content.additional_creators = combined;
    else delete content.additional_creators;
  }
  return { ok: true, content };
}

/** The v12 room creators a create-event content names, with the sender. */
export function creatorsOf(version: RoomVersion, creator: string, createContent: Record<string, unknown>): string[] {
  const extra = version.auth.privilegedCreators && Array.isArray(createContent.additional_creators)
    ? (createContent.additional_creators as unknown[]).filter((u): u is string => typeof u === 'string')
    : [];
  return [creator, ...extra];
}

/** m.room.topic content "with a `text/plain` mimetype" (and the v1.15 `m.topic` block). */
export function topicContent(topic: string): Record<string, unknown> {
  return { topic, 'm.topic': { 'm.text': [{ body: topic, mimetype: 'text/plain' }] } };
}

/** An m.room.member content with the user's profile fields, for events about local users. */
export function memberContent(membership: string, profile: MemberProfile | undefined, extra: Record<string, unknown> = {}) {
  const content: Record<string, unknown> = { membership };
  if (profile?.displayname !== undefined) content.displayname = profile.displayname;
  if (profile?.avatar_url !== undefined) content.avatar_url = profile.avatar_url;
  return { ...content, ...extra };
}

/**
 * The events of a new room in the order create_room.yaml requires: 1. m.room.create;
 * 2. the creator's join; 3. power levels (overridden by `power_level_content_override`);
 * 4. m.room.canonical_alias if `room_alias_name` is given; 5. the preset's join_rules,
 * history_visibility and guest_access; 6. `initial_state`, in order; 7. `name`, `topic`;
 * 8. invites. `initial_state` "takes precedence over events set by `preset`, but gets
 * overridden by `name` and `topic` keys": an entry a later step replaces is not sent.
 */
export function planCreateRoom(input: CreateRoomInput): CreateRoomPlan {
  const { version, creator } = input;
  const preset = effectivePreset(input.preset, input.visibility);
  const invitees = [...new Set(input.invite ?? [])].filter((u) => u !== creator);
  const trusted = preset === 'trusted_private_chat' ? invitees : [];

  const initial = new Map<string, PlannedStateEvent>();
  for (const ev of input.initialState ?? []) {
    const stateKey = ev.state_key ?? '';
    if (ev.type === 'm.room.create') {
      return { ok: false, errcode: 'M_INVALID_ROOM_STATE', error: 'initial_state cannot contain m.room.create; use creation_content' };
    }
    // A later entry for the same state replaces an earlier one, as it would in the room.
    initial.delete(key(ev.type, stateKey));
    initial.set(key(ev.type, stateKey), { type: ev.type, stateKey, content: ev.content });
  }
  const takeInitial = (type: string): PlannedStateEvent | undefined => {
    const ev = initial.get(key(type, ''));
    initial.delete(key(type, ''));
    return ev;
  };

  // 1. m.room.create.
  const create = createEventContent(version, creator, input.creationContent, version.auth.privilegedCreators ? trusted : []);
  if (!create.ok) return { ok: false, errcode: 'M_BAD_JSON', error: create.error };
  const events: PlannedStateEvent[] = [{ type: 'm.room.create', stateKey: '', content: create.content }];

  // 2. The creator joins.
  events.push({ type: 'm.room.member', stateKey: creator, content: memberContent('join', input.creatorProfile) });

  // 3. Power levels: an initial_state power-levels event replaces the default as the base.
  const base =
    takeInitial('m.room.power_levels')?.content ??
    defaultPowerLevels(version, creator, preset, {
      trustedInvitees: version.auth.privilegedCreators ? [] : trusted,
      roomType: create.content.type,
    });
  const powerLevels = fitPowerLevelsToVersion(
    version,
    { ...base, ...input.powerLevelContentOverride },
    creatorsOf(version, creator, create.content),
  );
  events.push({ type: 'm.room.power_levels', stateKey: '', content: powerLevels });

  // 4. The canonical alias.
  if (input.canonicalAlias !== undefined) {
    takeInitial('m.room.canonical_alias');
    events.push({ type: 'm.room.canonical_alias', stateKey: '', content: { alias: input.canonicalAlias } });
  }

  // 5. The preset's events, unless initial_state sets them (it is sent in step 6 instead).
  const p = PRESETS[preset];
  const presetEvents: [string, Record<string, unknown>][] = [
    ['m.room.join_rules', { join_rule: p.joinRule }],
    ['m.room.history_visibility', { history_visibility: p.historyVisibility }],
    ['m.room.guest_access', { guest_access: p.guestAccess }],
  ];
  for (const [type, content] of presetEvents) {
    if (!initial.has(key(type, ''))) events.push({ type, stateKey: '', content });
  }

  // 6. initial_state, minus what `name` and `topic` override.
  if (input.name !== undefined) initial.delete(key('m.room.name', ''));
  if (input.topic !== undefined) initial.delete(key('m.room.topic', ''));
  events.push(...initial.values());

  // 7. Name and topic.
  if (input.name !== undefined) events.push({ type: 'm.room.name', stateKey: '', content: { name: input.name } });
  if (input.topic !== undefined) events.push({ type: 'm.room.topic', stateKey: '', content: topicContent(input.topic) });

  // 8. Invites; `is_direct` "on the m.room.member events sent to the users in invite".
  for (const invitee of invitees) {
    const extra = input.isDirect ? { is_direct: true } : {};
    events.push({ type: 'm.room.member', stateKey: invitee, content: memberContent('invite', input.inviteProfiles?.[invitee], extra) });
  }
  return { ok: true, preset, events };
}
