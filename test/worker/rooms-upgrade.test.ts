import { describe, expect, it } from 'vitest';
import { SERVER_NAME, api, registerUser, uniqueName } from './helpers.js';
import { CS, createRoom, enc, expectStatus, getState, join, putState, roomPath, sendMessage } from './rooms-helpers.js';

const upgrade = (token: string, roomId: string, body: unknown) => api('POST', roomPath(roomId, '/upgrade'), { token, body });

describe('POST /rooms/{roomId}/upgrade', () => {
  it('upgrades v10 to v12: tombstone, predecessor, copied state without the creator in users, moved aliases, restricted old room', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const aliasName = uniqueName('up');
    const alias = `#${aliasName}:${SERVER_NAME}`;
    const oldRoom = await createRoom(alice, {
      room_version: '10',
      visibility: 'public',
      room_alias_name: aliasName,
      name: 'Old name',
      topic: 'Old topic',
      power_level_content_override: { users: { [alice.userId]: 100, [bob.userId]: 50 } },
      creation_content: { type: 'org.example.kind' },
      initial_state: [{ type: 'org.example.custom', content: { keep: false } }],
    });
    expectStatus(await join(bob, oldRoom), 200);
    const troll = `@troll:${SERVER_NAME}`;
    expectStatus(await api('POST', roomPath(oldRoom, '/ban'), { token: alice.accessToken, body: { user_id: troll } }), 200);
    const last = await sendMessage(alice, oldRoom, 'last words');

    const { replacement_room: newRoom } = expectStatus(await upgrade(alice.accessToken, oldRoom, { new_version: '12' }), 200);
    expect(newRoom).toMatch(/^![A-Za-z0-9_-]{43}$/);

    const create = expectStatus(await getState(alice, newRoom, 'm.room.create'), 200);
    expect(create.room_version).toBe('12');
    expect(create.type).toBe('org.example.kind');
    expect(create.predecessor.room_id).toBe(oldRoom);
    expect(create.predecessor.event_id).toBe(last);
    expect(create).not.toHaveProperty('additional_creators');
    const pl = expectStatus(await getState(alice, newRoom, 'm.room.power_levels'), 200);
    expect(pl.users).toEqual({ [bob.userId]: 50 });
    expect(pl.events['m.room.tombstone']).toBeGreaterThan(pl.state_default ?? 50);
    expect(expectStatus(await getState(alice, newRoom, 'm.room.name'), 200)).toEqual({ name: 'Old name' });
    expect(expectStatus(await getState(alice, newRoom, 'm.room.topic'), 200).topic).toBe('Old topic');
    expect(expectStatus(await getState(alice, newRoom, 'm.room.join_rules'), 200)).toEqual({ join_rule: 'public' });
    expectStatus(await getState(alice, newRoom, 'org.example.custom'), 404, 'M_NOT_FOUND');
    expect(expectStatus(await getState(alice, newRoom, 'm.room.canonical_alias'), 200)).toEqual({ alias });
    expect(expectStatus(await getState(alice, newRoom, 'm.room.member', troll), 200).membership).toBe('ban');

    // Aliases and the directory listing moved.
    expect(expectStatus(await api('GET', `${CS}/directory/room/${enc(alias)}`), 200).room_id).toBe(newRoom);
    expect(expectStatus(await api('GET', `${CS}/directory/list/room/${enc(newRoom)}`), 200).visibility).toBe('public');
    expect(expectStatus(await api('GET', `${CS}/directory/list/room/${enc(oldRoom)}`), 200).visibility).toBe('private');

    // The old room: tombstone, and ordinary members can no longer talk or invite.
    expect(expectStatus(await getState(alice, oldRoom, 'm.room.tombstone'), 200)).toMatchObject({ replacement_room: newRoom });
    const oldPl = expectStatus(await getState(alice, oldRoom, 'm.room.power_levels'), 200);
    expect(oldPl.events_default).toBe(50);
    expect(oldPl.invite).toBe(50);
    expect(oldPl.users[alice.userId]).toBe(100);
    const carol = await registerUser();
    const denied = await api('PUT', roomPath(oldRoom, '/send/m.room.message/t1'), { token: carol.accessToken, body: { body: 'x' } });
    expect(denied.status).toBe(403);
  });

  it('upgrades v12 to v11 with the upgrader re-listed in power levels, and sets additional creators when upgrading to v12', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const v12 = await createRoom(alice, { preset: 'public_chat', power_level_content_override: { users: { [bob.userId]: 50 } } });
    const { replacement_room: v11 } = expectStatus(await upgrade(alice.accessToken, v12, { new_version: '11' }), 200);
    const create = expectStatus(await getState(alice, v11, 'm.room.create'), 200);
    expect(create.room_version).toBe('11');
    expect(create.predecessor.room_id).toBe(v12);
    const pl = expectStatus(await getState(alice, v11, 'm.room.power_levels'), 200);
    expect(pl.users[bob.userId]).toBe(50);
    // The upgrader can still act in the new room.
    expectStatus(await putState(alice, v11, 'm.room.topic', '', { topic: 'still admin' }), 200);

    const { replacement_room: again } = expectStatus(
      await upgrade(alice.accessToken, v11, { new_version: '12', additional_creators: [bob.userId] }),
      200,
    );
    expect(expectStatus(await getState(alice, again, 'm.room.create'), 200).additional_creators).toEqual([bob.userId]);
    expect(expectStatus(await getState(alice, again, 'm.room.power_levels'), 200).users).toEqual({});
  });

  it('refuses members without tombstone power (403), unknown versions (400), non-members and unknown rooms', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const eve = await registerUser();
    const roomId = await createRoom(alice, { preset: 'public_chat' });
    expectStatus(await join(bob, roomId), 200);
    expectStatus(await upgrade(bob.accessToken, roomId, { new_version: '12' }), 403, 'M_FORBIDDEN');
    expectStatus(await upgrade(eve.accessToken, roomId, { new_version: '12' }), 403, 'M_FORBIDDEN');
    expectStatus(await upgrade(alice.accessToken, roomId, { new_version: '99' }), 400, 'M_UNSUPPORTED_ROOM_VERSION');
    expectStatus(await upgrade(alice.accessToken, roomId, {}), 400, 'M_BAD_JSON');
    expectStatus(await upgrade(alice.accessToken, `!gone:${SERVER_NAME}`, { new_version: '12' }), 404, 'M_NOT_FOUND');
    expectStatus(await getState(alice, roomId, 'm.room.tombstone'), 404, 'M_NOT_FOUND');
  });
});
