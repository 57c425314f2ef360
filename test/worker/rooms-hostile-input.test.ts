// Hostile input to the room endpoints: every refusal is a Matrix error body with the status
// the spec names, nothing answers 500, and a refused request leaves the room as it was.
// The first group are regressions for defects an adversarial audit found; the rest pin down
// hostile cases that already behaved.
import { describe, expect, it } from 'vitest';
import { SERVER_NAME, api, registerUser, uniqueName, type TestUser } from './helpers.js';
import { CS, createRoom, enc, expectStatus, getState, messages, nextTxn, putState, roomPath, sendMessage } from './rooms-helpers.js';

/** `depth` levels of nested arrays inside a content object (the object is one level). */
const nested = (depth: number) => `{"a":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;
const sendRaw = (user: TestUser, roomId: string, rawBody: string, type = 'm.room.message') =>
  api('PUT', roomPath(roomId, `/send/${enc(type)}/${nextTxn()}`), { token: user.accessToken, rawBody, headers: { 'Content-Type': 'application/json' } });
const create = (user: TestUser, body: unknown) => api('POST', `${CS}/createRoom`, { token: user.accessToken, body });
const createRaw = (user: TestUser, rawBody: string) => api('POST', `${CS}/createRoom`, { token: user.accessToken, rawBody });
/** The newest event's ID, to show that a refused request stored nothing. */
const newestEvent = async (user: TestUser, roomId: string) => expectStatus(await messages(user, roomId, 'dir=b&limit=1'), 200).chunk[0].event_id;

describe('regressions: defects found by the hostile-input audit', () => {
  it('refuses content nested more than 100 levels with 400 M_BAD_JSON instead of a 500, and stores nothing', async () => {
    const alice = await registerUser();
    const roomId = await createRoom(alice);
    expectStatus(await sendRaw(alice, roomId, nested(100)), 200);
    const before = await newestEvent(alice, roomId);
    for (const depth of [101, 3000, 20000]) {
      const res = expectStatus(await sendRaw(alice, roomId, nested(depth)), 400, 'M_BAD_JSON');
      expect(res.error).toMatch(/content|'a'/);
    }
    const state = await api('PUT', roomPath(roomId, '/state/org.example.deep/'), { token: alice.accessToken, rawBody: nested(20000) });
    expectStatus(state, 400, 'M_BAD_JSON');
    expect(await newestEvent(alice, roomId)).toBe(before);
    await sendMessage(alice, roomId, 'still fine');
  });

  it('refuses deeply nested createRoom content fields with 400 M_BAD_JSON naming the field', async () => {
    const alice = await registerUser();
    const deep = nested(20000);
    expect(expectStatus(await createRaw(alice, `{"creation_content":${deep}}`), 400, 'M_BAD_JSON').error).toContain('creation_content');
    expect(expectStatus(await createRaw(alice, `{"power_level_content_override":${deep}}`), 400, 'M_BAD_JSON').error).toContain('power_level_content_override');
    const initial = `{"initial_state":[{"type":"org.example.x","content":${deep}}]}`;
    expect(expectStatus(await createRaw(alice, initial), 400, 'M_BAD_JSON').error).toContain('initial_state');
  });

  it('refuses a deeply nested filter on /messages and /context with 400 M_INVALID_PARAM', async () => {
    const alice = await registerUser();
    const roomId = await createRoom(alice);
    const eventId = await sendMessage(alice, roomId, 'hi');
    const filter = enc(`{"org.example":${'['.repeat(5000)}${']'.repeat(5000)}}`);
    expectStatus(await messages(alice, roomId, `dir=b&filter=${filter}`), 400, 'M_INVALID_PARAM');
    expectStatus(await api('GET', roomPath(roomId, `/context/${enc(eventId)}?filter=${filter}`), { token: alice.accessToken }), 400, 'M_INVALID_PARAM');
  });

  it('refuses creation_content that canonical JSON cannot encode (v6+) with 400 M_BAD_JSON, not 500', async () => {
    const alice = await registerUser();
    for (const room_version of ['6', '10', '12']) {
      expectStatus(await create(alice, { room_version, creation_content: { n: 1.5 } }), 400, 'M_BAD_JSON');
      expectStatus(await create(alice, { room_version, creation_content: { n: 2 ** 60 } }), 400, 'M_BAD_JSON');
    }
    // v1-5 predate the rule: the same content is accepted there.
    expectStatus(await create(alice, { room_version: '1', creation_content: { n: 1.5 } }), 200);
  });

  it('refuses v1-9 power levels whose values do not read as levels, which would freeze the room\'s power levels', async () => {
    const alice = await registerUser();
    const unreadable = [{ ban: 'x' }, { ban: null }, { invite: [] }, { events: 'x' }, { events: { 'm.room.name': 'fifty' } }, { notifications: { room: {} } }];
    for (const room_version of ['1', '9']) {
      for (const override of unreadable) {
        expectStatus(await create(alice, { room_version, power_level_content_override: override }), 400, 'M_INVALID_ROOM_STATE');
      }
      const initial = [{ type: 'm.room.power_levels', content: { users: { [alice.userId]: 100 }, kick: 'x' } }];
      expectStatus(await create(alice, { room_version, initial_state: initial }), 400, 'M_INVALID_ROOM_STATE');
    }
    // Integer strings are power levels before v10, and such a room's levels can still change.
    const roomId = await createRoom(alice, { room_version: '9', power_level_content_override: { ban: '40', events: { 'm.room.name': '+60' } } });
    const pl = expectStatus(await getState(alice, roomId, 'm.room.power_levels'), 200);
    expectStatus(await putState(alice, roomId, 'm.room.power_levels', '', { ...pl, ban: 45 }), 200);
    expect(expectStatus(await getState(alice, roomId, 'm.room.power_levels'), 200).ban).toBe(45);
  });

  it('refuses a non-object power-levels `events` in v12 as v10-11 do, instead of replacing it', async () => {
    const alice = await registerUser();
    for (const room_version of ['10', '11', '12']) {
      expectStatus(await create(alice, { room_version, power_level_content_override: { events: 'x' } }), 400, 'M_INVALID_ROOM_STATE');
    }
  });

  it('upgrades a v1 room with string and float power levels to v12, copying them as integers', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const levels = { ban: '40', kick: 1.7, users: { [alice.userId]: '100', [bob.userId]: ' 20 ' }, events: { 'm.room.name': '+60' } };
    const oldRoom = await createRoom(alice, { room_version: '1', power_level_content_override: levels });
    const { replacement_room } = expectStatus(await api('POST', roomPath(oldRoom, '/upgrade'), { token: alice.accessToken, body: { new_version: '12' } }), 200);
    const pl = expectStatus(await getState(alice, replacement_room, 'm.room.power_levels'), 200);
    expect(pl).toMatchObject({ ban: 40, kick: 1, users: { [bob.userId]: 20 } });
    expect(pl.events['m.room.name']).toBe(60);
  });

  it('filters /publicRooms by more room types than D1 has bind variables (100) without a 500', async () => {
    const alice = await registerUser();
    const tag = uniqueName('manytypes');
    const space = await createRoom(alice, { visibility: 'public', name: tag, creation_content: { type: 'm.space' } });
    const room_types = [...Array.from({ length: 150 }, (_, i) => `org.example.t${i}`), 'm.space'];
    const res = expectStatus(await api('POST', `${CS}/publicRooms`, { token: alice.accessToken, body: { filter: { generic_search_term: tag, room_types } } }), 200);
    expect(res.chunk.map((r: any) => r.room_id)).toEqual([space]);
  });

  it('keeps a `__proto__` key of event content instead of silently dropping it', async () => {
    const alice = await registerUser();
    const roomId = await createRoom(alice);
    const sent = expectStatus(await sendRaw(alice, roomId, '{"__proto__":{"x":1},"msgtype":"m.text","body":"p"}'), 200);
    const event = expectStatus(await api('GET', roomPath(roomId, `/event/${enc(sent.event_id)}`), { token: alice.accessToken }), 200);
    expect(Object.hasOwn(event.content, '__proto__')).toBe(true);
    expect(event.content.__proto__).toEqual({ x: 1 });
    const put = await api('PUT', roomPath(roomId, '/state/org.example.p/'), { token: alice.accessToken, rawBody: '{"__proto__":{"y":2}}' });
    expectStatus(put, 200);
    const state = expectStatus(await getState(alice, roomId, 'org.example.p'), 200);
    expect(Object.keys(state)).toEqual(['__proto__']);
    const made = expectStatus(await createRaw(alice, '{"initial_state":[{"type":"org.example.i","content":{"__proto__":{"z":3}}}]}'), 200);
    expect(Object.keys(expectStatus(await getState(alice, made.room_id, 'org.example.i'), 200))).toEqual(['__proto__']);
  });

  it('checks an initial_state m.room.canonical_alias as a state PUT would', async () => {
    const alice = await registerUser();
    const canonical = (content: unknown) => create(alice, { initial_state: [{ type: 'm.room.canonical_alias', content }] });
    expectStatus(await canonical({ alias: 'not an alias' }), 400, 'M_INVALID_PARAM');
    expectStatus(await canonical({ alt_aliases: 'x' }), 400, 'M_INVALID_PARAM');
    expectStatus(await canonical({ alias: `#${uniqueName('nowhere')}:${SERVER_NAME}` }), 400, 'M_BAD_ALIAS');
    expectStatus(await canonical({ alt_aliases: ['#a:remote.example', `#b:${SERVER_NAME}`] }), 400, 'M_BAD_ALIAS');
    // Aliases on other servers cannot be resolved without federation and are kept as written.
    const roomId = expectStatus(await canonical({ alias: '#a:remote.example' }), 200).room_id;
    expect(expectStatus(await getState(alice, roomId, 'm.room.canonical_alias'), 200)).toEqual({ alias: '#a:remote.example' });
  });
});

describe('hostile input that already behaves', () => {
  it('answers bodies that are not JSON objects with M_NOT_JSON or M_BAD_JSON on every body-taking route', async () => {
    const alice = await registerUser();
    const roomId = await createRoom(alice);
    const eventId = await sendMessage(alice, roomId, 'target');
    const before = await newestEvent(alice, roomId);
    const routes: [string, string][] = [
      ['POST', `${CS}/createRoom`],
      ['PUT', roomPath(roomId, `/send/m.room.message/${nextTxn()}`)],
      ['PUT', roomPath(roomId, '/state/m.room.topic/')],
      ['PUT', roomPath(roomId, `/redact/${enc(eventId)}/${nextTxn()}`)],
      ['POST', roomPath(roomId, '/invite')],
      ['POST', roomPath(roomId, '/kick')],
      ['POST', roomPath(roomId, '/upgrade')],
      ['PUT', `${CS}/directory/room/${enc(`#${uniqueName('a')}:${SERVER_NAME}`)}`],
      ['POST', `${CS}/publicRooms`],
    ];
    const bodies: [BodyInit, string][] = [
      ['[]', 'M_BAD_JSON'],
      ['null', 'M_BAD_JSON'],
      ['42', 'M_BAD_JSON'],
      ['{"a":', 'M_NOT_JSON'],
      [new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]), 'M_NOT_JSON'],
    ];
    for (const [method, path] of routes) {
      for (const [rawBody, errcode] of bodies) {
        const res = await api(method, path, { token: alice.accessToken, rawBody });
        expect(res.status, `${method} ${path}`).toBe(400);
        expect(res.body).toMatchObject({ errcode, error: expect.any(String) });
      }
    }
    expect(await newestEvent(alice, roomId)).toBe(before);
  });

  it('refuses an event over 65,536 bytes with 413 M_TOO_LARGE and stores nothing', async () => {
    const alice = await registerUser();
    const roomId = await createRoom(alice);
    const before = await newestEvent(alice, roomId);
    expectStatus(await sendRaw(alice, roomId, JSON.stringify({ msgtype: 'm.text', body: 'é'.repeat(33_000) })), 413, 'M_TOO_LARGE');
    expectStatus(await putState(alice, roomId, 'm.room.topic', '', { topic: 'x'.repeat(70_000) }), 413, 'M_TOO_LARGE');
    expectStatus(await create(alice, { name: 'x'.repeat(70_000) }), 413, 'M_TOO_LARGE');
    expect(await newestEvent(alice, roomId)).toBe(before);
  });

  it('refuses state keys starting with @ that name another user, in every room version family', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    for (const room_version of ['1', '10', '12']) {
      const roomId = await createRoom(alice, { room_version });
      expectStatus(await putState(alice, roomId, 'org.example.x', bob.userId, { a: 1 }), 403, 'M_FORBIDDEN');
      expectStatus(await putState(alice, roomId, 'org.example.x', alice.userId, { a: 1 }), 200);
    }
  });

  it('answers malformed and over-long path parameters with 400 M_INVALID_PARAM', async () => {
    const alice = await registerUser();
    const roomId = await createRoom(alice);
    for (const bad of ['abc', '!', '!a:', `!${'a'.repeat(300)}:${SERVER_NAME}`, '#alias:x']) {
      expectStatus(await api('GET', `${CS}/rooms/${enc(bad)}/state`, { token: alice.accessToken }), 400, 'M_INVALID_PARAM');
      expectStatus(await api('POST', `${CS}/rooms/${enc(bad)}/leave`, { token: alice.accessToken, body: {} }), 400, 'M_INVALID_PARAM');
    }
    for (const bad of ['x', '$', `$${'a'.repeat(300)}`]) {
      expectStatus(await api('GET', roomPath(roomId, `/event/${enc(bad)}`), { token: alice.accessToken }), 400, 'M_INVALID_PARAM');
    }
    expectStatus(await api('GET', `${CS}/directory/room/${enc(`#${'a'.repeat(300)}:${SERVER_NAME}`)}`), 400, 'M_INVALID_PARAM');
    expectStatus(await putState(alice, roomId, 'org.example.x', 'k'.repeat(256), {}), 400, 'M_BAD_JSON');
  });

  it('answers bad query parameters with 400 M_INVALID_PARAM or M_MISSING_PARAM', async () => {
    const alice = await registerUser();
    const roomId = await createRoom(alice);
    for (const query of ['dir=b&limit=-1', 'dir=b&limit=1e309', 'dir=b&limit=NaN', 'dir=x', 'dir=b&from=garbage', 'dir=b&to=t1', 'dir=b&filter=[]', 'dir=b&filter={"limit":"x"}']) {
      expectStatus(await messages(alice, roomId, query), 400, 'M_INVALID_PARAM');
    }
    expectStatus(await api('GET', roomPath(roomId, '/members?membership=x'), { token: alice.accessToken }), 400, 'M_INVALID_PARAM');
    expectStatus(await api('GET', `${CS}/publicRooms?since=garbage`), 400, 'M_INVALID_PARAM');
    const tte = (q: string) => api('GET', `/_matrix/client/v1/rooms/${enc(roomId)}/timestamp_to_event?${q}`, { token: alice.accessToken });
    expectStatus(await tte('dir=f'), 400, 'M_MISSING_PARAM');
    expectStatus(await tte('ts=abc&dir=f'), 400, 'M_INVALID_PARAM');
    expectStatus(await tte('ts=1&dir=x'), 400, 'M_INVALID_PARAM');
  });

  it('answers mis-typed createRoom fields with the errcode the spec names', async () => {
    const alice = await registerUser();
    expectStatus(await create(alice, { room_version: '13' }), 400, 'M_UNSUPPORTED_ROOM_VERSION');
    expectStatus(await create(alice, { room_version: 'constructor' }), 400, 'M_UNSUPPORTED_ROOM_VERSION');
    expectStatus(await create(alice, { room_alias_name: 'a:b' }), 400, 'M_INVALID_PARAM');
    expectStatus(await create(alice, { invite: ['not-a-user'] }), 400, 'M_BAD_JSON');
    expectStatus(await create(alice, { preset: 'everyone' }), 400, 'M_BAD_JSON');
    expectStatus(await create(alice, { initial_state: [{ type: 'm.x', content: [] }] }), 400, 'M_BAD_JSON');
    expectStatus(await create(alice, { initial_state: [{ type: 'm.room.create', content: {} }] }), 400, 'M_INVALID_ROOM_STATE');
    expectStatus(await create(alice, { power_level_content_override: { users: { [alice.userId]: 0 } }, room_version: '11' }), 400, 'M_INVALID_ROOM_STATE');
    const name = uniqueName('taken');
    await createRoom(alice, { room_alias_name: name });
    expectStatus(await create(alice, { room_alias_name: name }), 400, 'M_ROOM_IN_USE');
    // An empty name asks for no alias, as in Synapse: no `#:server` is ever made.
    const { room_id: roomId } = expectStatus(await create(alice, { room_alias_name: '' }), 200);
    expect(expectStatus(await api('GET', roomPath(roomId, '/aliases'), { token: alice.accessToken }), 200).aliases).toEqual([]);
  });

  it('refuses string power levels from v10 through the auth rules and keeps the stored levels', async () => {
    const alice = await registerUser();
    const roomId = await createRoom(alice, { room_version: '10' });
    const pl = expectStatus(await getState(alice, roomId, 'm.room.power_levels'), 200);
    expectStatus(await putState(alice, roomId, 'm.room.power_levels', '', { ...pl, ban: '50' }), 403, 'M_FORBIDDEN');
    expectStatus(await putState(alice, roomId, 'm.room.power_levels', '', { ...pl, ban: 1.5 }), 400, 'M_BAD_JSON');
    expect(expectStatus(await getState(alice, roomId, 'm.room.power_levels'), 200)).toEqual(pl);
  });

  it('returns the first event for a transaction ID retried with another body', async () => {
    const alice = await registerUser();
    const roomId = await createRoom(alice);
    const path = roomPath(roomId, `/send/m.room.message/${nextTxn()}`);
    const first = expectStatus(await api('PUT', path, { token: alice.accessToken, body: { msgtype: 'm.text', body: 'one' } }), 200);
    const again = expectStatus(await api('PUT', path, { token: alice.accessToken, body: { msgtype: 'm.text', body: 'two' } }), 200);
    expect(again.event_id).toBe(first.event_id);
    const { chunk } = expectStatus(await messages(alice, roomId, 'dir=b&limit=5'), 200);
    expect(chunk.filter((e: any) => e.content.body === 'two')).toHaveLength(0);
  });
});
