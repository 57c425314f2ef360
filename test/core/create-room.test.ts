import { describe, expect, it } from 'vitest';
import {
  defaultPowerLevels,
  effectivePreset,
  fitPowerLevelsToVersion,
  planCreateRoom,
  type CreateRoomInput,
  type PlannedStateEvent,
} from '../../src/core/create-room.js';
import { planUpgradeRoom, restrictedOldPowerLevels } from '../../src/core/upgrade-room.js';
import { SUPPORTED_ROOM_VERSIONS, getRoomVersion } from '../../src/core/room-versions.js';

const V = (id: string) => getRoomVersion(id)!;
const ALICE = '@alice:example.org';
const BOB = '@bob:example.org';
const CAROL = '@carol:other.example';

function plan(input: Partial<CreateRoomInput> & { version?: ReturnType<typeof V> }): PlannedStateEvent[] {
  const out = planCreateRoom({ version: V('12'), creator: ALICE, ...input });
  if (!out.ok) throw new Error(out.error);
  return out.events;
}
const types = (events: PlannedStateEvent[]) => events.map((e) => (e.stateKey ? `${e.type}|${e.stateKey}` : e.type));
const find = (events: PlannedStateEvent[], type: string, stateKey = '') =>
  events.find((e) => e.type === type && e.stateKey === stateKey)?.content;

describe('presets', () => {
  it('defaults the preset from the visibility', () => {
    expect(effectivePreset(undefined, undefined)).toBe('private_chat');
    expect(effectivePreset(undefined, 'private')).toBe('private_chat');
    expect(effectivePreset(undefined, 'public')).toBe('public_chat');
    expect(effectivePreset('trusted_private_chat', 'public')).toBe('trusted_private_chat');
  });
  it.each([
    ['private_chat', 'invite', 'shared', 'can_join'],
    ['trusted_private_chat', 'invite', 'shared', 'can_join'],
    ['public_chat', 'public', 'shared', 'forbidden'],
  ] as const)('%s sets join_rules %s, history_visibility %s, guest_access %s', (preset, jr, hv, ga) => {
    const events = plan({ preset });
    expect(find(events, 'm.room.join_rules')).toEqual({ join_rule: jr });
    expect(find(events, 'm.room.history_visibility')).toEqual({ history_visibility: hv });
    expect(find(events, 'm.room.guest_access')).toEqual({ guest_access: ga });
  });
});

describe('event order', () => {
  it('follows the spec: create, join, power levels, alias, preset, initial_state, name, topic, invites', () => {
    const events = plan({
      preset: 'public_chat',
      canonicalAlias: '#pub:example.org',
      name: 'Pub',
      topic: 'Beer',
      invite: [BOB, CAROL],
      initialState: [{ type: 'm.room.encryption', content: { algorithm: 'm.megolm.v1.aes-sha2' } }],
    });
    expect(types(events)).toEqual([
      'm.room.create',
      `m.room.member|${ALICE}`,
      'm.room.power_levels',
      'm.room.canonical_alias',
      'm.room.join_rules',
      'm.room.history_visibility',
      'm.room.guest_access',
      'm.room.encryption',
      'm.room.name',
      'm.room.topic',
      `m.room.member|${BOB}`,
      `m.room.member|${CAROL}`,
    ]);
    expect(find(events, 'm.room.canonical_alias')).toEqual({ alias: '#pub:example.org' });
    expect(find(events, 'm.room.topic')).toEqual({
      topic: 'Beer',
      'm.topic': { 'm.text': [{ body: 'Beer', mimetype: 'text/plain' }] },
    });
  });
  it('lets initial_state replace the preset events, sent in initial_state position', () => {
    const events = plan({
      preset: 'private_chat',
      initialState: [
        { type: 'm.room.history_visibility', content: { history_visibility: 'world_readable' } },
        { type: 'm.room.join_rules', content: { join_rule: 'knock' } },
      ],
    });
    expect(types(events).slice(3)).toEqual(['m.room.guest_access', 'm.room.history_visibility', 'm.room.join_rules']);
    expect(find(events, 'm.room.join_rules')).toEqual({ join_rule: 'knock' });
  });
  it('lets name and topic override initial_state, which then is not sent', () => {
    const events = plan({
      name: 'Real',
      initialState: [
        { type: 'm.room.name', content: { name: 'Ignored' } },
        { type: 'm.room.topic', content: { topic: 'Kept' } },
      ],
    });
    expect(events.filter((e) => e.type === 'm.room.name')).toEqual([{ type: 'm.room.name', stateKey: '', content: { name: 'Real' } }]);
    expect(find(events, 'm.room.topic')).toEqual({ topic: 'Kept' });
  });
  it('uses an initial_state power-levels event as the base at step 3, with the override on top', () => {
    const events = plan({
      version: V('10'),
      initialState: [{ type: 'm.room.power_levels', content: { users: { [ALICE]: 100 }, ban: 10 } }],
      powerLevelContentOverride: { kick: 20 },
    });
    expect(types(events).filter((t) => t === 'm.room.power_levels')).toHaveLength(1);
    expect(types(events)[2]).toBe('m.room.power_levels');
    expect(find(events, 'm.room.power_levels')).toEqual({ users: { [ALICE]: 100 }, ban: 10, kick: 20 });
  });
  it('keeps only the last initial_state entry for the same state key', () => {
    const events = plan({
      initialState: [
        { type: 'org.example.x', state_key: 'a', content: { n: 1 } },
        { type: 'org.example.x', state_key: 'a', content: { n: 2 } },
        { type: 'org.example.x', content: { n: 3 } },
      ],
    });
    expect(find(events, 'org.example.x', 'a')).toEqual({ n: 2 });
    expect(find(events, 'org.example.x')).toEqual({ n: 3 });
  });
  it('refuses m.room.create in initial_state', () => {
    const out = planCreateRoom({ version: V('12'), creator: ALICE, initialState: [{ type: 'm.room.create', content: {} }] });
    expect(out).toMatchObject({ ok: false, errcode: 'M_INVALID_ROOM_STATE' });
  });
  it('does not invite the creator and invites each user once, with is_direct and profiles', () => {
    const events = plan({
      invite: [BOB, ALICE, BOB],
      isDirect: true,
      inviteProfiles: { [BOB]: { displayname: 'Bob' } },
      creatorProfile: { displayname: 'Alice', avatar_url: 'mxc://example.org/a' },
    });
    expect(find(events, 'm.room.member', ALICE)).toEqual({ membership: 'join', displayname: 'Alice', avatar_url: 'mxc://example.org/a' });
    expect(events.filter((e) => e.type === 'm.room.member' && e.content.membership === 'invite')).toEqual([
      { type: 'm.room.member', stateKey: BOB, content: { membership: 'invite', displayname: 'Bob', is_direct: true } },
    ]);
  });
});

describe('m.room.create content', () => {
  it.each(SUPPORTED_ROOM_VERSIONS)('v%s: sets room_version, keeps creation_content, owns creator', (id) => {
    const events = plan({ version: V(id), creationContent: { 'm.federate': false, creator: '@evil:x', room_version: '1', type: 'm.space' } });
    const content = find(events, 'm.room.create')!;
    expect(content.room_version).toBe(id);
    expect(content['m.federate']).toBe(false);
    expect(content.type).toBe('m.space');
    // "creator: Required for, and only present in, room versions 1 - 10."
    if (Number(id) <= 10) expect(content.creator).toBe(ALICE);
    else expect(content).not.toHaveProperty('creator');
  });
  it('v12 trusted_private_chat adds invitees to additional_creators, deduplicated', () => {
    const events = plan({ preset: 'trusted_private_chat', invite: [BOB, CAROL], creationContent: { additional_creators: [CAROL, '@dave:x.org'] } });
    expect(find(events, 'm.room.create')!.additional_creators).toEqual([CAROL, '@dave:x.org', BOB]);
    const pl = find(events, 'm.room.power_levels')!;
    expect(pl.users).toEqual({});
  });
  it('v12 refuses additional_creators that are not user IDs', () => {
    const out = planCreateRoom({ version: V('12'), creator: ALICE, creationContent: { additional_creators: ['bob'] } });
    expect(out).toMatchObject({ ok: false, errcode: 'M_BAD_JSON' });
  });
  it('v11 trusted_private_chat gives invitees the creator level instead', () => {
    const events = plan({ version: V('11'), preset: 'trusted_private_chat', invite: [BOB] });
    expect(find(events, 'm.room.create')).not.toHaveProperty('additional_creators');
    expect(find(events, 'm.room.power_levels')!.users).toEqual({ [ALICE]: 100, [BOB]: 100 });
  });
});

describe('power levels', () => {
  it('v1-11 list the creator at 100; v12 lists no creator and raises tombstone above state_default', () => {
    for (const id of SUPPORTED_ROOM_VERSIONS) {
      const pl = find(plan({ version: V(id) }), 'm.room.power_levels')!;
      const events = pl.events as Record<string, number>;
      if (id === '12') {
        expect(pl.users).toEqual({});
        expect(events['m.room.tombstone']).toBe(150);
        expect(events['m.room.tombstone']).toBeGreaterThan(pl.state_default as number);
      } else {
        expect(pl.users).toEqual({ [ALICE]: 100 });
        expect(events['m.room.tombstone']).toBe(100);
      }
    }
  });
  it('applies the override shallowly on top of the defaults', () => {
    const pl = find(plan({ version: V('10'), powerLevelContentOverride: { users: { [BOB]: 50 }, invite: 100 } }), 'm.room.power_levels')!;
    expect(pl.users).toEqual({ [BOB]: 50 });
    expect(pl.invite).toBe(100);
    expect(pl.ban).toBe(50);
  });
  it('v12 strips the creators from an override and keeps tombstone above state_default', () => {
    const pl = find(
      plan({ powerLevelContentOverride: { users: { [ALICE]: 100, [BOB]: 50 }, state_default: 200, events: {} } }),
      'm.room.power_levels',
    )!;
    expect(pl.users).toEqual({ [BOB]: 50 });
    expect((pl.events as Record<string, number>)['m.room.tombstone']).toBe(201);
  });
  it('public rooms need 50 to invite, private ones 0; spaces need 100 to send events', () => {
    expect(defaultPowerLevels(V('12'), ALICE, 'public_chat').invite).toBe(50);
    expect(defaultPowerLevels(V('12'), ALICE, 'private_chat').invite).toBe(0);
    expect(defaultPowerLevels(V('12'), ALICE, 'public_chat', { roomType: 'm.space' }).events_default).toBe(100);
  });
  it('leaves v1-11 content unchanged when fitting to the version', () => {
    const content = { users: { [ALICE]: 100 } };
    expect(fitPowerLevelsToVersion(V('11'), content, [ALICE])).toBe(content);
  });
});

describe('room upgrades', () => {
  const oldState = new Map<string, Record<string, unknown>>([
    ['m.room.name', { name: 'Old' }],
    ['m.room.join_rules', { join_rule: 'public' }],
    ['m.room.power_levels', { users: { [ALICE]: 100, [BOB]: 50 }, state_default: 50, events: { 'm.room.power_levels': 100 } }],
    ['org.example.custom', { x: 1 }],
  ]);
  it('creates the new room with predecessor and copied type, and transfers the recommended state', () => {
    const { events, restorePowerLevels } = planUpgradeRoom({
      newVersion: V('11'),
      creator: ALICE,
      oldRoomId: '!old:example.org',
      oldLastEventId: '$last',
      oldCreateContent: { type: 'm.space', room_version: '10' },
      oldState,
    });
    expect(find(events, 'm.room.create')).toEqual({ predecessor: { room_id: '!old:example.org', event_id: '$last' }, type: 'm.space', room_version: '11' });
    expect(types(events)).toEqual(['m.room.create', `m.room.member|${ALICE}`, 'm.room.power_levels', 'm.room.name', 'm.room.join_rules']);
    expect(restorePowerLevels).toBeUndefined();
  });
  it('to v12: drops the upgrader from users, sets additional_creators only when asked', () => {
    const { events } = planUpgradeRoom({
      newVersion: V('12'),
      creator: ALICE,
      oldRoomId: '!old:example.org',
      oldCreateContent: {},
      oldState,
      additionalCreators: [CAROL],
    });
    expect(find(events, 'm.room.create')).toEqual({ predecessor: { room_id: '!old:example.org' }, room_version: '12', additional_creators: [CAROL] });
    const pl = find(events, 'm.room.power_levels')!;
    expect(pl.users).toEqual({ [BOB]: 50 });
    expect((pl.events as Record<string, number>)['m.room.tombstone']).toBe(150);
  });
  it('from v12 to v11: raises the upgrader temporarily and restores the copied levels after', () => {
    const { events, restorePowerLevels } = planUpgradeRoom({
      newVersion: V('11'),
      creator: ALICE,
      oldRoomId: '!old',
      oldCreateContent: {},
      oldState: new Map([['m.room.power_levels', { users: { [BOB]: 50 } }]]),
    });
    expect(find(events, 'm.room.power_levels')!.users).toEqual({ [BOB]: 50, [ALICE]: 50 });
    expect(restorePowerLevels).toEqual({ users: { [BOB]: 50 } });
  });
  it('from v12 to v11: the old room\'s creators get the top level instead of infinite power', () => {
    const { events, restorePowerLevels } = planUpgradeRoom({
      newVersion: V('11'),
      creator: ALICE,
      oldRoomId: '!old',
      oldCreateContent: {},
      oldState: new Map([['m.room.power_levels', { users: { [BOB]: 50 }, events: { 'm.room.tombstone': 150 } }]]),
      oldPrivilegedCreators: [ALICE, CAROL],
    });
    expect(find(events, 'm.room.power_levels')!.users).toEqual({ [BOB]: 50, [ALICE]: 150, [CAROL]: 150 });
    expect(restorePowerLevels).toBeUndefined();
  });
  it('restricts the old room: events_default and invite to max(50, users_default + 1)', () => {
    expect(restrictedOldPowerLevels({ users_default: 0, events_default: 0, invite: 0 })).toMatchObject({ events_default: 50, invite: 50 });
    expect(restrictedOldPowerLevels({ users_default: 70 })).toMatchObject({ events_default: 71, invite: 71 });
    expect(restrictedOldPowerLevels({ events_default: 60, invite: 60 })).toBeUndefined();
    expect(restrictedOldPowerLevels(undefined)).toBeUndefined();
  });
});
