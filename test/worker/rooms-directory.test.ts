import { describe, expect, it } from 'vitest';
import { SERVER_NAME, api, registerAdmin, registerUser, uniqueName, type TestUser } from './helpers.js';
import { CS, createRoom, enc, expectStatus, getState, join, putState, roomPath } from './rooms-helpers.js';

const aliasPath = (alias: string) => `${CS}/directory/room/${enc(alias)}`;
const newAlias = (prefix = 'alias') => `#${uniqueName(prefix)}:${SERVER_NAME}`;
const putAlias = (user: TestUser, alias: string, roomId: string) => api('PUT', aliasPath(alias), { token: user.accessToken, body: { room_id: roomId } });

describe('room aliases', () => {
  it('maps, resolves (without a token), lists and deletes a local alias', async () => {
    const alice = await registerUser();
    const roomId = await createRoom(alice);
    const alias = newAlias();
    expect(expectStatus(await putAlias(alice, alias, roomId), 200)).toEqual({});
    expect(expectStatus(await api('GET', aliasPath(alias)), 200)).toEqual({ room_id: roomId, servers: [SERVER_NAME] });
    expect(expectStatus(await api('GET', roomPath(roomId, '/aliases'), { token: alice.accessToken }), 200)).toEqual({ aliases: [alias] });
    expectStatus(await api('DELETE', aliasPath(alias), { token: alice.accessToken }), 200);
    expectStatus(await api('GET', aliasPath(alias)), 404, 'M_NOT_FOUND');
    expectStatus(await api('DELETE', aliasPath(alias), { token: alice.accessToken }), 404, 'M_NOT_FOUND');
  });

  it('answers 409 M_ROOM_IN_USE for a taken alias', async () => {
    const alice = await registerUser();
    const roomId = await createRoom(alice);
    const alias = newAlias();
    expectStatus(await putAlias(alice, alias, roomId), 200);
    expectStatus(await putAlias(alice, alias, roomId), 409, 'M_ROOM_IN_USE');
  });

  it('refuses aliases on other servers, malformed aliases and room IDs, unknown rooms and non-members', async () => {
    const alice = await registerUser();
    const eve = await registerUser();
    const roomId = await createRoom(alice);
    expectStatus(await putAlias(alice, '#x:elsewhere.example', roomId), 400, 'M_INVALID_PARAM');
    expectStatus(await api('GET', aliasPath('#x:elsewhere.example')), 404, 'M_NOT_FOUND');
    expectStatus(await api('GET', aliasPath('no-sigil')), 400, 'M_INVALID_PARAM');
    expectStatus(await putAlias(alice, newAlias(), 'not-a-room'), 400, 'M_INVALID_PARAM');
    expectStatus(await putAlias(alice, newAlias(), `!missing:${SERVER_NAME}`), 404, 'M_NOT_FOUND');
    expectStatus(await putAlias(eve, newAlias(), roomId), 403, 'M_FORBIDDEN');
    expectStatus(await api('PUT', aliasPath(newAlias()), { token: alice.accessToken, body: {} }), 400, 'M_BAD_JSON');
  });

  it('lets the alias creator, room admins and server admins delete an alias, but no one else', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const admin = await registerAdmin();
    const roomId = await createRoom(alice, { preset: 'public_chat' });
    expectStatus(await join(bob, roomId), 200);
    const bobs = newAlias('bobs');
    expectStatus(await putAlias(bob, bobs, roomId), 200);
    const alices = newAlias('alices');
    expectStatus(await putAlias(alice, alices, roomId), 200);
    const third = newAlias('third');
    expectStatus(await putAlias(alice, third, roomId), 200);
    expectStatus(await api('DELETE', aliasPath(alices), { token: bob.accessToken }), 403, 'M_FORBIDDEN');
    // The room's creator (power 100) may delete an alias someone else made.
    expectStatus(await api('DELETE', aliasPath(bobs), { token: alice.accessToken }), 200);
    expectStatus(await api('DELETE', aliasPath(third), { token: admin.accessToken }), 200);
  });

  it('removes a deleted alias from the canonical alias event', async () => {
    const alice = await registerUser();
    const aliasName = uniqueName('canon');
    const roomId = await createRoom(alice, { room_alias_name: aliasName });
    const alias = `#${aliasName}:${SERVER_NAME}`;
    const alt = newAlias('alt');
    expectStatus(await putAlias(alice, alt, roomId), 200);
    expectStatus(await putState(alice, roomId, 'm.room.canonical_alias', '', { alias, alt_aliases: [alt] }), 200);
    expectStatus(await api('DELETE', aliasPath(alt), { token: alice.accessToken }), 200);
    expect(expectStatus(await getState(alice, roomId, 'm.room.canonical_alias'), 200)).toEqual({ alias, alt_aliases: [] });
  });

  it('GET /rooms/{roomId}/aliases: members and anyone in world_readable rooms; 403 otherwise', async () => {
    const alice = await registerUser();
    const eve = await registerUser();
    const privateRoom = await createRoom(alice);
    expectStatus(await api('GET', roomPath(privateRoom, '/aliases'), { token: eve.accessToken }), 403, 'M_FORBIDDEN');
    const readable = await createRoom(alice, {
      room_alias_name: uniqueName('readable'),
      initial_state: [{ type: 'm.room.history_visibility', content: { history_visibility: 'world_readable' } }],
    });
    expect(expectStatus(await api('GET', roomPath(readable, '/aliases'), { token: eve.accessToken }), 200).aliases).toHaveLength(1);
  });
});

describe('directory visibility', () => {
  it('reads (without a token) and changes a room’s visibility', async () => {
    const alice = await registerUser();
    const roomId = await createRoom(alice);
    const path = `${CS}/directory/list/room/${enc(roomId)}`;
    expect(expectStatus(await api('GET', path), 200)).toEqual({ visibility: 'private' });
    expectStatus(await api('PUT', path, { token: alice.accessToken, body: { visibility: 'public' } }), 200);
    expect(expectStatus(await api('GET', path), 200)).toEqual({ visibility: 'public' });
    expectStatus(await api('PUT', path, { token: alice.accessToken, body: { visibility: 'private' } }), 200);
    expect(expectStatus(await api('GET', path), 200)).toEqual({ visibility: 'private' });
  });

  it('answers 404 for unknown rooms, 403 for members without power, 400 for bad values', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const roomId = await createRoom(alice, { preset: 'public_chat' });
    expectStatus(await join(bob, roomId), 200);
    const path = `${CS}/directory/list/room/${enc(roomId)}`;
    expectStatus(await api('GET', `${CS}/directory/list/room/${enc(`!nope:${SERVER_NAME}`)}`), 404, 'M_NOT_FOUND');
    expectStatus(await api('PUT', `${CS}/directory/list/room/${enc(`!nope:${SERVER_NAME}`)}`, { token: alice.accessToken, body: {} }), 404, 'M_NOT_FOUND');
    expectStatus(await api('PUT', path, { token: bob.accessToken, body: { visibility: 'public' } }), 403, 'M_FORBIDDEN');
    expectStatus(await api('PUT', path, { token: alice.accessToken, body: { visibility: 'hidden' } }), 400, 'M_BAD_JSON');
  });
});

describe('GET/POST /publicRooms', () => {
  it('lists published rooms with their summaries, searches, filters by type and pages', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const tag = uniqueName('zebra');
    const big = await createRoom(alice, { visibility: 'public', name: `${tag} big`, topic: 'stripes', room_alias_name: uniqueName('big') });
    expectStatus(await join(bob, big), 200);
    const small = await createRoom(alice, {
      visibility: 'public',
      name: `${tag} small`,
      initial_state: [
        { type: 'm.room.history_visibility', content: { history_visibility: 'world_readable' } },
        { type: 'm.room.avatar', content: { url: 'mxc://example.org/z' } },
      ],
    });
    const space = await createRoom(alice, { visibility: 'public', name: `${tag} space`, creation_content: { type: 'm.space' } });
    await createRoom(alice, { name: `${tag} unlisted` });

    const search = (body: Record<string, unknown>) => api('POST', `${CS}/publicRooms`, { token: alice.accessToken, body });
    const all = expectStatus(await search({ filter: { generic_search_term: tag.toUpperCase() } }), 200);
    expect(all.total_room_count_estimate).toBe(3);
    expect(all.chunk.map((r: any) => r.room_id)).toEqual([big, ...[small, space].sort()]);
    const bigEntry = all.chunk[0];
    expect(bigEntry).toMatchObject({ name: `${tag} big`, topic: 'stripes', num_joined_members: 2, world_readable: false, guest_can_join: false, join_rule: 'public' });
    expect(bigEntry.canonical_alias).toMatch(/^#big/);
    expect(all.chunk.find((r: any) => r.room_id === small)).toMatchObject({ world_readable: true, avatar_url: 'mxc://example.org/z', num_joined_members: 1 });
    expect(all.chunk.find((r: any) => r.room_id === space).room_type).toBe('m.space');

    const spaces = expectStatus(await search({ filter: { generic_search_term: tag, room_types: ['m.space'] } }), 200);
    expect(spaces.chunk.map((r: any) => r.room_id)).toEqual([space]);
    const untyped = expectStatus(await search({ filter: { generic_search_term: tag, room_types: [null] } }), 200);
    expect(untyped.chunk.map((r: any) => r.room_id).sort()).toEqual([big, small].sort());

    // Pagination: one room per page, forwards with next_batch and back with prev_batch.
    const p1 = expectStatus(await search({ limit: 1, filter: { generic_search_term: tag } }), 200);
    expect(p1.chunk).toHaveLength(1);
    expect(p1.prev_batch).toBeUndefined();
    const p2 = expectStatus(await search({ limit: 1, since: p1.next_batch, filter: { generic_search_term: tag } }), 200);
    const p3 = expectStatus(await search({ limit: 1, since: p2.next_batch, filter: { generic_search_term: tag } }), 200);
    expect(p3.next_batch).toBeUndefined();
    expect([p1, p2, p3].map((p) => p.chunk[0].room_id)).toEqual(all.chunk.map((r: any) => r.room_id));
    const back = expectStatus(await search({ limit: 1, since: p3.prev_batch, filter: { generic_search_term: tag } }), 200);
    expect(back.chunk[0].room_id).toBe(p2.chunk[0].room_id);

    // GET needs no token.
    const listed = expectStatus(await api('GET', `${CS}/publicRooms?limit=500`), 200);
    expect(listed.chunk.map((r: any) => r.room_id)).toEqual(expect.arrayContaining([big, small, space]));
  });

  it('keeps the summary up to date when the name changes and drops unpublished rooms', async () => {
    const alice = await registerUser();
    const tag = uniqueName('gnu');
    const roomId = await createRoom(alice, { visibility: 'public', name: `${tag} old` });
    expectStatus(await putState(alice, roomId, 'm.room.name', '', { name: `${tag} new` }), 200);
    const search = async () =>
      expectStatus(await api('POST', `${CS}/publicRooms`, { token: alice.accessToken, body: { filter: { generic_search_term: tag } } }), 200);
    expect((await search()).chunk[0].name).toBe(`${tag} new`);
    expectStatus(await api('PUT', `${CS}/directory/list/room/${enc(roomId)}`, { token: alice.accessToken, body: { visibility: 'private' } }), 200);
    expect((await search()).chunk).toEqual([]);
  });

  it('answers 400 for a bad token, 404 for another server, 401 for POST without a token', async () => {
    expectStatus(await api('GET', `${CS}/publicRooms?since=garbage`), 400, 'M_INVALID_PARAM');
    expectStatus(await api('GET', `${CS}/publicRooms?server=elsewhere.example`), 404, 'M_NOT_FOUND');
    expectStatus(await api('POST', `${CS}/publicRooms`, { body: {} }), 401, 'M_MISSING_TOKEN');
    const alice = await registerUser();
    expectStatus(await api('POST', `${CS}/publicRooms`, { token: alice.accessToken, body: { limit: 'ten' } }), 400, 'M_BAD_JSON');
  });
});
