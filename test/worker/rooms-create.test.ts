import { describe, expect, it } from 'vitest';
import { SERVER_NAME, api, registerUser, uniqueName } from './helpers.js';
import { CS, createRoom, enc, expectStatus, getState, members, roomPath } from './rooms-helpers.js';

const stateOf = async (token: string, roomId: string) =>
  expectStatus(await api('GET', roomPath(roomId, '/state'), { token }), 200) as Array<Record<string, any>>;
const find = (state: Array<Record<string, any>>, type: string, key = '') => state.find((e) => e.type === type && e.state_key === key);

describe('POST /createRoom', () => {
  it('creates a room version 12 private chat by default, with the creator joined and not in power-level users', async () => {
    const alice = await registerUser();
    const roomId = await createRoom(alice);
    // v12 room IDs are the create event's hash: no server name.
    expect(roomId).toMatch(/^![A-Za-z0-9_-]{43}$/);
    const state = await stateOf(alice.accessToken, roomId);
    const create = find(state, 'm.room.create')!;
    expect(create.content.room_version).toBe('12');
    expect(create.content).not.toHaveProperty('creator');
    expect(create.sender).toBe(alice.userId);
    expect(find(state, 'm.room.member', alice.userId)!.content).toMatchObject({ membership: 'join', displayname: alice.userId.slice(1).split(':')[0] });
    const pl = find(state, 'm.room.power_levels')!.content;
    expect(pl.users).toEqual({});
    expect(pl.events['m.room.tombstone']).toBeGreaterThan(pl.state_default);
    expect(find(state, 'm.room.join_rules')!.content).toEqual({ join_rule: 'invite' });
    expect(find(state, 'm.room.history_visibility')!.content).toEqual({ history_visibility: 'shared' });
    expect(find(state, 'm.room.guest_access')!.content).toEqual({ guest_access: 'can_join' });
    expect(expectStatus(await api('GET', `${CS}/joined_rooms`, { token: alice.accessToken }), 200).joined_rooms).toContain(roomId);
  });

  it('uses public_chat for visibility public, and publishes the room', async () => {
    const alice = await registerUser();
    const roomId = await createRoom(alice, { visibility: 'public', name: 'Town square' });
    expect(expectStatus(await getState(alice, roomId, 'm.room.join_rules'), 200)).toEqual({ join_rule: 'public' });
    expect(expectStatus(await getState(alice, roomId, 'm.room.guest_access'), 200)).toEqual({ guest_access: 'forbidden' });
    expect(expectStatus(await api('GET', `${CS}/directory/list/room/${enc(roomId)}`), 200)).toEqual({ visibility: 'public' });
    const listed = expectStatus(await api('GET', `${CS}/publicRooms`), 200);
    expect(listed.chunk.find((r: any) => r.room_id === roomId)).toMatchObject({ name: 'Town square', num_joined_members: 1, join_rule: 'public' });
  });

  it('an explicit preset wins over the visibility', async () => {
    const alice = await registerUser();
    const roomId = await createRoom(alice, { visibility: 'public', preset: 'private_chat' });
    expect(expectStatus(await getState(alice, roomId, 'm.room.join_rules'), 200)).toEqual({ join_rule: 'invite' });
  });

  it('sets the alias, name, topic and initial state, and invites with is_direct', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const aliasName = uniqueName('pub');
    const roomId = await createRoom(alice, {
      preset: 'public_chat',
      room_alias_name: aliasName,
      name: 'The Pub',
      topic: 'Happy hour',
      invite: [bob.userId],
      is_direct: true,
      initial_state: [{ type: 'm.room.history_visibility', content: { history_visibility: 'world_readable' } }],
    });
    const alias = `#${aliasName}:${SERVER_NAME}`;
    expect(expectStatus(await api('GET', `${CS}/directory/room/${enc(alias)}`), 200)).toEqual({ room_id: roomId, servers: [SERVER_NAME] });
    expect(expectStatus(await getState(alice, roomId, 'm.room.canonical_alias'), 200)).toEqual({ alias });
    expect(expectStatus(await getState(alice, roomId, 'm.room.name'), 200)).toEqual({ name: 'The Pub' });
    expect(expectStatus(await getState(alice, roomId, 'm.room.topic'), 200)).toMatchObject({
      topic: 'Happy hour',
      'm.topic': { 'm.text': [{ body: 'Happy hour', mimetype: 'text/plain' }] },
    });
    expect(expectStatus(await getState(alice, roomId, 'm.room.history_visibility'), 200)).toEqual({ history_visibility: 'world_readable' });
    const invite = expectStatus(await getState(alice, roomId, 'm.room.member', bob.userId), 200);
    expect(invite).toMatchObject({ membership: 'invite', is_direct: true });
  });

  it('applies power_level_content_override and creation_content', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const roomId = await createRoom(alice, {
      room_version: '10',
      power_level_content_override: { users: { [alice.userId]: 100, [bob.userId]: 75 }, kick: 60 },
      creation_content: { 'm.federate': false, type: 'org.example.kind' },
    });
    const pl = expectStatus(await getState(alice, roomId, 'm.room.power_levels'), 200);
    expect(pl.users).toEqual({ [alice.userId]: 100, [bob.userId]: 75 });
    expect(pl.kick).toBe(60);
    const create = expectStatus(await getState(alice, roomId, 'm.room.create'), 200);
    expect(create).toMatchObject({ 'm.federate': false, type: 'org.example.kind', room_version: '10', creator: alice.userId });
  });

  it('trusted_private_chat in v12 makes the invitees additional creators', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const roomId = await createRoom(alice, { preset: 'trusted_private_chat', invite: [bob.userId] });
    const create = expectStatus(await getState(alice, roomId, 'm.room.create'), 200);
    expect(create.additional_creators).toEqual([bob.userId]);
    expect(expectStatus(await getState(alice, roomId, 'm.room.power_levels'), 200).users).toEqual({});
  });

  it('trusted_private_chat in v11 gives the invitees the creator’s power level', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const roomId = await createRoom(alice, { preset: 'trusted_private_chat', invite: [bob.userId], room_version: '11' });
    expect(expectStatus(await getState(alice, roomId, 'm.room.power_levels'), 200).users).toEqual({ [alice.userId]: 100, [bob.userId]: 100 });
  });

  it('answers 400 M_UNSUPPORTED_ROOM_VERSION for an unknown room version', async () => {
    const alice = await registerUser();
    for (const room_version of ['13', '0', 'org.example.v1']) {
      expectStatus(await api('POST', `${CS}/createRoom`, { token: alice.accessToken, body: { room_version } }), 400, 'M_UNSUPPORTED_ROOM_VERSION');
    }
  });

  it('answers 400 M_ROOM_IN_USE for a taken alias, and M_INVALID_PARAM for a bad one', async () => {
    const alice = await registerUser();
    const name = uniqueName('taken');
    await createRoom(alice, { room_alias_name: name });
    expectStatus(await api('POST', `${CS}/createRoom`, { token: alice.accessToken, body: { room_alias_name: name } }), 400, 'M_ROOM_IN_USE');
    expectStatus(await api('POST', `${CS}/createRoom`, { token: alice.accessToken, body: { room_alias_name: 'a:b' } }), 400, 'M_INVALID_PARAM');
  });

  it('answers 400 M_INVALID_ROOM_STATE when the requested state cannot be sent', async () => {
    const alice = await registerUser();
    const res = await api('POST', `${CS}/createRoom`, {
      token: alice.accessToken,
      body: { room_version: '10', power_level_content_override: { users: { [alice.userId]: 10 } }, name: 'nope' },
    });
    expectStatus(res, 400, 'M_INVALID_ROOM_STATE');
  });

  it('refuses m.room.create in initial_state', async () => {
    const alice = await registerUser();
    const res = await api('POST', `${CS}/createRoom`, {
      token: alice.accessToken,
      body: { initial_state: [{ type: 'm.room.create', state_key: '', content: {} }] },
    });
    expectStatus(res, 400, 'M_INVALID_ROOM_STATE');
  });

  it('answers 400 M_BAD_JSON / M_NOT_JSON for malformed bodies and 401 without a token', async () => {
    const alice = await registerUser();
    for (const body of [{ invite: 'x' }, { invite: ['not-a-user'] }, { preset: 'party' }, { visibility: 'secret' }, { initial_state: [{ type: 'x' }] }]) {
      expectStatus(await api('POST', `${CS}/createRoom`, { token: alice.accessToken, body }), 400, 'M_BAD_JSON');
    }
    expectStatus(await api('POST', `${CS}/createRoom`, { token: alice.accessToken, rawBody: '{nope' }), 400, 'M_NOT_JSON');
    expectStatus(await api('POST', `${CS}/createRoom`, { body: {} }), 401, 'M_MISSING_TOKEN');
  });

  it('lists the creator as the only joined member', async () => {
    const alice = await registerUser();
    const roomId = await createRoom(alice);
    const res = expectStatus(await members(alice, roomId), 200);
    expect(res.chunk.map((e: any) => [e.state_key, e.content.membership])).toEqual([[alice.userId, 'join']]);
  });
});
