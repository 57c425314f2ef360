import { describe, expect, it } from 'vitest';
import { SERVER_NAME, api, registerUser } from './helpers.js';
import { createRoom, enc, expectStatus, join, membershipAction, messages, putState, roomPath, sendMessage } from './rooms-helpers.js';

const bodies = (chunk: any[]) => chunk.filter((e) => e.type === 'm.room.message').map((e) => e.content.body);

describe('GET /rooms/{roomId}/messages', () => {
  it('pages backwards to the create event and forwards again with the tokens', async () => {
    const alice = await registerUser();
    const roomId = await createRoom(alice, { name: 'History' });
    for (let i = 0; i < 12; i++) await sendMessage(alice, roomId, `m${i}`);

    const seen: any[] = [];
    let from: string | undefined;
    for (let page = 0; page < 20; page++) {
      const res = expectStatus(await messages(alice, roomId, `dir=b&limit=5${from ? `&from=${enc(from)}` : ''}`), 200);
      expect(res.start).toBeTypeOf('string');
      if (from) expect(res.start).toBe(from);
      expect(res.chunk.length).toBeLessThanOrEqual(5);
      seen.push(...res.chunk);
      if (res.end === undefined) break;
      from = res.end;
    }
    expect(seen.at(-1).type).toBe('m.room.create');
    expect(bodies(seen)).toEqual(Array.from({ length: 12 }, (_, i) => `m${11 - i}`));

    // Forwards from the very start: chronological order.
    const forward = expectStatus(await messages(alice, roomId, 'dir=f&limit=100'), 200);
    expect(forward.chunk[0].type).toBe('m.room.create');
    expect(bodies(forward.chunk)).toEqual(Array.from({ length: 12 }, (_, i) => `m${i}`));
  });

  it('stops at `to`, applies type filters and lazy-loads the senders’ member events', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const roomId = await createRoom(alice, { preset: 'public_chat' });
    expectStatus(await join(bob, roomId), 200);
    await sendMessage(alice, roomId, 'a1');
    await sendMessage(bob, roomId, 'b1');
    await sendMessage(alice, roomId, 'a2');

    const first = expectStatus(await messages(alice, roomId, 'dir=b&limit=1'), 200);
    const filter = enc(JSON.stringify({ types: ['m.room.message'], lazy_load_members: true }));
    const res = expectStatus(await messages(alice, roomId, `dir=b&limit=10&filter=${filter}`), 200);
    expect(bodies(res.chunk)).toEqual(['a2', 'b1', 'a1']);
    expect(res.chunk.every((e: any) => e.type === 'm.room.message')).toBe(true);
    expect(res.state.map((e: any) => e.state_key).sort()).toEqual([alice.userId, bob.userId].sort());

    const bounded = expectStatus(await messages(alice, roomId, `dir=b&limit=10&to=${enc(first.end)}`), 200);
    expect(bodies(bounded.chunk)).toEqual(['a2']);

    const senders = enc(JSON.stringify({ senders: [bob.userId] }));
    expect(bodies(expectStatus(await messages(alice, roomId, `dir=b&filter=${senders}`), 200).chunk)).toEqual(['b1']);
  });

  it('lazy-loads each sender’s membership as it was at the page, not as it is now', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const roomId = await createRoom(alice, { preset: 'public_chat' });
    expectStatus(await join(bob, roomId), 200);
    expectStatus(await putState(bob, roomId, 'm.room.member', bob.userId, { membership: 'join', displayname: 'Bob the first' }), 200);
    await sendMessage(bob, roomId, 'old');
    const page = expectStatus(await messages(alice, roomId, 'dir=b&limit=1'), 200);
    expectStatus(await putState(bob, roomId, 'm.room.member', bob.userId, { membership: 'join', displayname: 'Bob the second' }), 200);
    await sendMessage(bob, roomId, 'new');

    const lazy = enc(JSON.stringify({ types: ['m.room.message'], lazy_load_members: true }));
    const older = expectStatus(await messages(alice, roomId, `dir=b&limit=5&from=${enc(page.start)}&filter=${lazy}`), 200);
    expect(bodies(older.chunk)).toEqual(['old']);
    expect(older.state.map((e: any) => [e.state_key, e.content.displayname])).toEqual([[bob.userId, 'Bob the first']]);
    const newer = expectStatus(await messages(alice, roomId, `dir=b&limit=1&filter=${lazy}`), 200);
    expect(bodies(newer.chunk)).toEqual(['new']);
    expect(newer.state.map((e: any) => [e.state_key, e.content.displayname])).toEqual([[bob.userId, 'Bob the second']]);
  });

  it('answers 400 for a bad dir, limit or filter, and 403 to outsiders of a shared-history room', async () => {
    const alice = await registerUser();
    const eve = await registerUser();
    const roomId = await createRoom(alice);
    expectStatus(await messages(alice, roomId, 'dir=x'), 400, 'M_INVALID_PARAM');
    expectStatus(await messages(alice, roomId, 'dir=b&limit=ten'), 400, 'M_INVALID_PARAM');
    expectStatus(await messages(alice, roomId, 'dir=b&filter=%7Bnope'), 400, 'M_INVALID_PARAM');
    expectStatus(await messages(alice, roomId, `dir=b&filter=${enc(JSON.stringify({ limit: 'x' }))}`), 400, 'M_INVALID_PARAM');
    expectStatus(await messages(eve, roomId, 'dir=b'), 403, 'M_FORBIDDEN');
    expectStatus(await messages(alice, `!missing:${SERVER_NAME}`, 'dir=b'), 404, 'M_NOT_FOUND');
  });

  it('lets anyone read a world_readable room', async () => {
    const alice = await registerUser();
    const eve = await registerUser();
    const roomId = await createRoom(alice, {
      preset: 'public_chat',
      initial_state: [{ type: 'm.room.history_visibility', content: { history_visibility: 'world_readable' } }],
    });
    await sendMessage(alice, roomId, 'for everyone');
    expect(bodies(expectStatus(await messages(eve, roomId, 'dir=b'), 200).chunk)).toEqual(['for everyone']);
  });

  it('hides what was sent after a member left, under `joined` visibility', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const roomId = await createRoom(alice, {
      preset: 'public_chat',
      initial_state: [{ type: 'm.room.history_visibility', content: { history_visibility: 'joined' } }],
    });
    await sendMessage(alice, roomId, 'before bob');
    expectStatus(await join(bob, roomId), 200);
    await sendMessage(alice, roomId, 'while bob');
    expectStatus(await membershipAction(bob, roomId, 'leave'), 200);
    await sendMessage(alice, roomId, 'after bob');
    const seen = bodies(expectStatus(await messages(bob, roomId, 'dir=b&limit=50'), 200).chunk);
    expect(seen).toEqual(['while bob']);
  });
});

describe('GET /rooms/{roomId}/context/{eventId}', () => {
  it('returns the event with events before and after, tokens and state', async () => {
    const alice = await registerUser();
    const roomId = await createRoom(alice);
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push(await sendMessage(alice, roomId, `c${i}`));
    const res = expectStatus(await api('GET', roomPath(roomId, `/context/${enc(ids[3]!)}?limit=4`), { token: alice.accessToken }), 200);
    expect(res.event.event_id).toBe(ids[3]);
    expect(bodies(res.events_before)).toEqual(['c2', 'c1']);
    expect(bodies(res.events_after)).toEqual(['c4', 'c5']);
    expect(res.start).toBeTypeOf('string');
    expect(res.end).toBeTypeOf('string');
    // The tokens continue in /messages.
    const after = expectStatus(await messages(alice, roomId, `dir=f&from=${enc(res.end)}`), 200);
    expect(bodies(after.chunk)).toEqual(['c6']);
    expect(Array.isArray(res.state)).toBe(true);
  });

  it('gives the whole room state at the last event returned, or the senders’ memberships when lazy-loading', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const roomId = await createRoom(alice, { preset: 'public_chat', topic: 'first topic' });
    expectStatus(await join(bob, roomId), 200);
    const early = await sendMessage(bob, roomId, 'early');
    await sendMessage(alice, roomId, 'between');
    expectStatus(await putState(alice, roomId, 'm.room.topic', '', { topic: 'second topic' }), 200);
    expectStatus(await putState(bob, roomId, 'm.room.member', bob.userId, { membership: 'join', displayname: 'Renamed' }), 200);
    const late = await sendMessage(alice, roomId, 'late');

    const topicOf = (state: any[]) => state.find((e) => e.type === 'm.room.topic')?.content.topic;
    const bobOf = (state: any[]) => state.find((e) => e.type === 'm.room.member' && e.state_key === bob.userId)?.content;
    // limit=2: one event after `early` ('between'), so the state is as of 'between'.
    const atEarly = expectStatus(await api('GET', roomPath(roomId, `/context/${enc(early)}?limit=2`), { token: alice.accessToken }), 200);
    expect(bodies(atEarly.events_after)).toEqual(['between']);
    expect(topicOf(atEarly.state)).toBe('first topic');
    expect(bobOf(atEarly.state)).toMatchObject({ membership: 'join' });
    expect(bobOf(atEarly.state).displayname).not.toBe('Renamed');
    expect(atEarly.state.some((e: any) => e.type === 'm.room.create')).toBe(true);
    expect(atEarly.state.some((e: any) => e.type === 'm.room.power_levels')).toBe(true);
    const atLate = expectStatus(await api('GET', roomPath(roomId, `/context/${enc(late)}?limit=2`), { token: alice.accessToken }), 200);
    expect(topicOf(atLate.state)).toBe('second topic');
    expect(bobOf(atLate.state)?.displayname).toBe('Renamed');

    const lazy = enc(JSON.stringify({ lazy_load_members: true }));
    const lazyEarly = expectStatus(await api('GET', roomPath(roomId, `/context/${enc(early)}?limit=0&filter=${lazy}`), { token: alice.accessToken }), 200);
    expect(lazyEarly.state.map((e: any) => [e.type, e.state_key])).toEqual([['m.room.member', bob.userId]]);
    expect(lazyEarly.state[0].content.displayname).not.toBe('Renamed');
  });

  it('answers 404 for an unknown event and 400 for a malformed one', async () => {
    const alice = await registerUser();
    const roomId = await createRoom(alice);
    expectStatus(await api('GET', roomPath(roomId, `/context/${enc('$unknownunknownunknownunknownunknownunknown1')}`), { token: alice.accessToken }), 404, 'M_NOT_FOUND');
    expectStatus(await api('GET', roomPath(roomId, '/context/nope'), { token: alice.accessToken }), 400, 'M_INVALID_PARAM');
  });
});

describe('GET /rooms/{roomId}/event/{eventId}', () => {
  it('returns events to members and 404 to those who may not see them', async () => {
    const alice = await registerUser();
    const eve = await registerUser();
    const roomId = await createRoom(alice);
    const eventId = await sendMessage(alice, roomId, 'private');
    expect(expectStatus(await api('GET', roomPath(roomId, `/event/${enc(eventId)}`), { token: alice.accessToken }), 200).content.body).toBe('private');
    expectStatus(await api('GET', roomPath(roomId, `/event/${enc(eventId)}`), { token: eve.accessToken }), 404, 'M_NOT_FOUND');
    const other = await createRoom(alice);
    expectStatus(await api('GET', roomPath(other, `/event/${enc(eventId)}`), { token: alice.accessToken }), 404, 'M_NOT_FOUND');
  });
});

describe('GET /_matrix/client/v1/rooms/{roomId}/timestamp_to_event', () => {
  it('finds the closest event in either direction', async () => {
    const alice = await registerUser();
    const roomId = await createRoom(alice);
    const before = Date.now();
    const first = await sendMessage(alice, roomId, 'one');
    const path = (q: string) => `/_matrix/client/v1/rooms/${enc(roomId)}/timestamp_to_event?${q}`;
    const forward = expectStatus(await api('GET', path(`ts=${before}&dir=f`), { token: alice.accessToken }), 200);
    expect(forward.origin_server_ts).toBeGreaterThanOrEqual(before);
    expect(typeof forward.event_id).toBe('string');
    const back = expectStatus(await api('GET', path(`ts=${Date.now() + 60_000}&dir=b`), { token: alice.accessToken }), 200);
    expect(back.event_id).toBe(first);
    expectStatus(await api('GET', path(`ts=${Date.now() + 60_000}&dir=f`), { token: alice.accessToken }), 404, 'M_NOT_FOUND');
    expectStatus(await api('GET', path('dir=f'), { token: alice.accessToken }), 400, 'M_MISSING_PARAM');
    expectStatus(await api('GET', path('ts=1'), { token: alice.accessToken }), 400, 'M_MISSING_PARAM');
    expectStatus(await api('GET', path('ts=1&dir=up'), { token: alice.accessToken }), 400, 'M_INVALID_PARAM');
  });
});
