import { describe, expect, it } from 'vitest';
import { SERVER_NAME, api, registerUser, uniqueName } from './helpers.js';
import { CS, createRoom, enc, expectStatus, getState, join, members, nextTxn, putState, roomPath, sendMessage } from './rooms-helpers.js';

describe('PUT /rooms/{roomId}/send/{eventType}/{txnId}', () => {
  it('sends a message, idempotently per access token and txnId', async () => {
    const alice = await registerUser();
    const roomId = await createRoom(alice);
    const path = roomPath(roomId, `/send/m.room.message/${nextTxn()}`);
    const first = expectStatus(await api('PUT', path, { token: alice.accessToken, body: { msgtype: 'm.text', body: 'hi' } }), 200);
    expect(first.event_id).toMatch(/^\$/);
    const again = expectStatus(await api('PUT', path, { token: alice.accessToken, body: { msgtype: 'm.text', body: 'hi' } }), 200);
    expect(again.event_id).toBe(first.event_id);
    // Another session of the same user is another transaction scope.
    const login = await api('POST', `${CS}/login`, {
      body: { type: 'm.login.password', identifier: { type: 'm.id.user', user: alice.userId }, password: alice.password },
    });
    const other = expectStatus(await api('PUT', path, { token: login.body.access_token, body: { msgtype: 'm.text', body: 'hi' } }), 200);
    expect(other.event_id).not.toBe(first.event_id);
    const event = expectStatus(await api('GET', roomPath(roomId, `/event/${enc(first.event_id)}`), { token: alice.accessToken }), 200);
    expect(event).toMatchObject({ type: 'm.room.message', sender: alice.userId, content: { body: 'hi' }, room_id: roomId });
  });

  it('refuses senders who are not joined (403) and unknown rooms (404)', async () => {
    const alice = await registerUser();
    const eve = await registerUser();
    const roomId = await createRoom(alice, { preset: 'public_chat' });
    const body = { msgtype: 'm.text', body: 'x' };
    expectStatus(await api('PUT', roomPath(roomId, `/send/m.room.message/${nextTxn()}`), { token: eve.accessToken, body }), 403, 'M_FORBIDDEN');
    expectStatus(
      await api('PUT', roomPath(`!nowhere:${SERVER_NAME}`, `/send/m.room.message/${nextTxn()}`), { token: alice.accessToken, body }),
      404,
      'M_NOT_FOUND',
    );
  });

  it('answers 400 M_INVALID_PARAM for a malformed room ID, M_NOT_JSON / M_BAD_JSON for bad bodies', async () => {
    const alice = await registerUser();
    const roomId = await createRoom(alice);
    expectStatus(await api('PUT', `${CS}/rooms/not-a-room/send/m.room.message/1`, { token: alice.accessToken, body: {} }), 400, 'M_INVALID_PARAM');
    const path = roomPath(roomId, `/send/m.room.message/${nextTxn()}`);
    expectStatus(await api('PUT', path, { token: alice.accessToken, rawBody: 'nope' }), 400, 'M_NOT_JSON');
    expectStatus(await api('PUT', path, { token: alice.accessToken, body: ['array'] }), 400, 'M_BAD_JSON');
    expectStatus(await api('PUT', path, { body: {} }), 401, 'M_MISSING_TOKEN');
  });

  it('accepts m.room.redaction with `redacts` in content in every room version layout', async () => {
    const alice = await registerUser();
    for (const room_version of ['10', '11', '12']) {
      const roomId = await createRoom(alice, { room_version });
      const target = await sendMessage(alice, roomId, 'oops');
      const res = await api('PUT', roomPath(roomId, `/send/m.room.redaction/${nextTxn()}`), {
        token: alice.accessToken,
        body: { redacts: target, reason: 'typo' },
      });
      const redactionId = expectStatus(res, 200).event_id;
      const redaction = expectStatus(await api('GET', roomPath(roomId, `/event/${enc(redactionId)}`), { token: alice.accessToken }), 200);
      if (room_version === '10') expect(redaction.redacts).toBe(target);
      else expect(redaction.content.redacts).toBe(target);
      const redacted = expectStatus(await api('GET', roomPath(roomId, `/event/${enc(target)}`), { token: alice.accessToken }), 200);
      expect(redacted.content).toEqual({});
    }
  });
});

describe('PUT /rooms/{roomId}/redact/{eventId}/{txnId}', () => {
  it('redacts an event with a reason, idempotently', async () => {
    const alice = await registerUser();
    const roomId = await createRoom(alice);
    const target = await sendMessage(alice, roomId, 'secret');
    const path = roomPath(roomId, `/redact/${enc(target)}/${nextTxn()}`);
    const res = expectStatus(await api('PUT', path, { token: alice.accessToken, body: { reason: 'leaked' } }), 200);
    expect(expectStatus(await api('PUT', path, { token: alice.accessToken, body: { reason: 'leaked' } }), 200).event_id).toBe(res.event_id);
    const redacted = expectStatus(await api('GET', roomPath(roomId, `/event/${enc(target)}`), { token: alice.accessToken }), 200);
    expect(redacted.content).toEqual({});
    expect(redacted.unsigned?.redacted_because).toMatchObject({ event_id: res.event_id, content: { reason: 'leaked' } });
  });

  it('refuses to let a user without power redact another user’s event, and rejects bad event IDs', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const roomId = await createRoom(alice, { preset: 'public_chat' });
    expectStatus(await join(bob, roomId), 200);
    const target = await sendMessage(alice, roomId, 'mine');
    expectStatus(await api('PUT', roomPath(roomId, `/redact/${enc(target)}/${nextTxn()}`), { token: bob.accessToken, body: {} }), 403, 'M_FORBIDDEN');
    expectStatus(await api('PUT', roomPath(roomId, `/redact/not-an-event/${nextTxn()}`), { token: alice.accessToken, body: {} }), 400, 'M_INVALID_PARAM');
  });
});

describe('state', () => {
  it('PUT and GET state with a state key, without one, and with an empty trailing segment', async () => {
    const alice = await registerUser();
    const roomId = await createRoom(alice);
    expectStatus(await putState(alice, roomId, 'org.example.colour', 'a/b', { colour: 'red' }), 200);
    expect(expectStatus(await getState(alice, roomId, 'org.example.colour', 'a/b'), 200)).toEqual({ colour: 'red' });
    const noKey = await api('PUT', roomPath(roomId, '/state/m.room.name'), { token: alice.accessToken, body: { name: 'First' } });
    expect(expectStatus(noKey, 200).event_id).toMatch(/^\$/);
    expectStatus(await api('PUT', roomPath(roomId, '/state/m.room.name/'), { token: alice.accessToken, body: { name: 'Second' } }), 200);
    expect(expectStatus(await api('GET', roomPath(roomId, '/state/m.room.name'), { token: alice.accessToken }), 200)).toEqual({ name: 'Second' });
    expect(expectStatus(await api('GET', roomPath(roomId, '/state/m.room.name/'), { token: alice.accessToken }), 200)).toEqual({ name: 'Second' });
    const asEvent = expectStatus(await api('GET', roomPath(roomId, '/state/m.room.name?format=event'), { token: alice.accessToken }), 200);
    expect(asEvent).toMatchObject({ type: 'm.room.name', state_key: '', sender: alice.userId, content: { name: 'Second' }, room_id: roomId });
    expect(asEvent.event_id).toMatch(/^\$/);
    expectStatus(await api('GET', roomPath(roomId, '/state/m.room.name?format=xml'), { token: alice.accessToken }), 400, 'M_INVALID_PARAM');
  });

  it('answers 404 for missing state and 403 to users who were never in the room', async () => {
    const alice = await registerUser();
    const eve = await registerUser();
    const roomId = await createRoom(alice);
    expectStatus(await getState(alice, roomId, 'm.room.topic'), 404, 'M_NOT_FOUND');
    expectStatus(await getState(eve, roomId, 'm.room.create'), 403, 'M_FORBIDDEN');
    expectStatus(await api('GET', roomPath(roomId, '/state'), { token: eve.accessToken }), 403, 'M_FORBIDDEN');
  });

  it('denies a state change to a user without the power level (403)', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const roomId = await createRoom(alice, { preset: 'public_chat' });
    expectStatus(await join(bob, roomId), 200);
    expectStatus(await putState(bob, roomId, 'm.room.name', '', { name: 'Mine now' }), 403, 'M_FORBIDDEN');
    expectStatus(await putState(bob, roomId, 'm.room.power_levels', '', { users: { [bob.userId]: 100 } }), 403, 'M_FORBIDDEN');
  });

  it('GET /state lists the whole current state', async () => {
    const alice = await registerUser();
    const roomId = await createRoom(alice, { name: 'N', topic: 'T' });
    const res = await api('GET', roomPath(roomId, '/state'), { token: alice.accessToken });
    const state = expectStatus(res, 200) as any[];
    expect(res.headers.get('Content-Type')).toContain('application/json');
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe('*');
    const keys = state.map((e) => `${e.type}|${e.state_key}`).sort();
    expect(keys).toEqual(
      [
        'm.room.create|',
        `m.room.member|${alice.userId}`,
        'm.room.power_levels|',
        'm.room.join_rules|',
        'm.room.history_visibility|',
        'm.room.guest_access|',
        'm.room.name|',
        'm.room.topic|',
      ].sort(),
    );
  });

  it('checks new canonical aliases: grammar (M_INVALID_PARAM) and that local ones point here (M_BAD_ALIAS)', async () => {
    const alice = await registerUser();
    const roomId = await createRoom(alice);
    const otherRoom = await createRoom(alice, { room_alias_name: uniqueName('other') });
    const otherAlias = expectStatus(await getState(alice, otherRoom, 'm.room.canonical_alias'), 200).alias;
    expectStatus(await putState(alice, roomId, 'm.room.canonical_alias', '', { alias: 'not an alias' }), 400, 'M_INVALID_PARAM');
    expectStatus(await putState(alice, roomId, 'm.room.canonical_alias', '', { alias: otherAlias }), 400, 'M_BAD_ALIAS');
    expectStatus(await putState(alice, roomId, 'm.room.canonical_alias', '', { alt_aliases: [`#nope-${uniqueName()}:${SERVER_NAME}`] }), 400, 'M_BAD_ALIAS');
    const mine = `#${uniqueName('mine')}:${SERVER_NAME}`;
    expectStatus(await api('PUT', `${CS}/directory/room/${enc(mine)}`, { token: alice.accessToken, body: { room_id: roomId } }), 200);
    expectStatus(await putState(alice, roomId, 'm.room.canonical_alias', '', { alias: mine, alt_aliases: ['#elsewhere:remote.example'] }), 200);
  });
});

describe('members', () => {
  it('GET /members filters by membership and not_membership; /joined_members maps profiles', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const carol = await registerUser();
    const roomId = await createRoom(alice, { preset: 'public_chat', invite: [carol.userId] });
    expectStatus(await join(bob, roomId), 200);
    const all = expectStatus(await members(alice, roomId), 200).chunk.map((e: any) => `${e.state_key}:${e.content.membership}`).sort();
    expect(all).toEqual([`${alice.userId}:join`, `${bob.userId}:join`, `${carol.userId}:invite`].sort());
    const invited = expectStatus(await members(alice, roomId, '?membership=invite'), 200).chunk.map((e: any) => e.state_key);
    expect(invited).toEqual([carol.userId]);
    const notJoined = expectStatus(await members(alice, roomId, '?not_membership=join'), 200).chunk.map((e: any) => e.state_key);
    expect(notJoined).toEqual([carol.userId]);
    expectStatus(await members(alice, roomId, '?membership=party'), 400, 'M_INVALID_PARAM');

    const joined = expectStatus(await api('GET', roomPath(roomId, '/joined_members'), { token: bob.accessToken }), 200).joined;
    expect(Object.keys(joined).sort()).toEqual([alice.userId, bob.userId].sort());
    expect(joined[alice.userId].display_name).toBe(alice.userId.slice(1).split(':')[0]);
  });

  it('GET /members?at= reads the membership at a pagination token', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const roomId = await createRoom(alice, { preset: 'public_chat' });
    const before = expectStatus(await api('GET', roomPath(roomId, '/messages?dir=b&limit=1'), { token: alice.accessToken }), 200).start;
    expectStatus(await join(bob, roomId), 200);
    const then = expectStatus(await members(alice, roomId, `?at=${enc(before)}`), 200).chunk.map((e: any) => e.state_key);
    expect(then).toEqual([alice.userId]);
    const now = expectStatus(await members(alice, roomId), 200).chunk.map((e: any) => e.state_key);
    expect(now.sort()).toEqual([alice.userId, bob.userId].sort());
  });

  it('refuses /members and /joined_members to outsiders', async () => {
    const alice = await registerUser();
    const eve = await registerUser();
    const roomId = await createRoom(alice);
    expectStatus(await members(eve, roomId), 403, 'M_FORBIDDEN');
    expectStatus(await api('GET', roomPath(roomId, '/joined_members'), { token: eve.accessToken }), 403, 'M_FORBIDDEN');
  });
});
