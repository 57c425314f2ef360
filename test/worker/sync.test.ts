// GET /sync: each section of the response, and incremental syncs after each kind of change.
import { describe, expect, it } from 'vitest';
import { api, registerUser } from './helpers.js';
import { CS, createRoom, enc, expectStatus, join, membershipAction, messages, putState, sendMessage } from './rooms-helpers.js';
import { bodies, joined, stateOf, sync, syncRaw, Syncer, sleep, timelineOf } from './sync-helpers.js';

describe('initial sync', () => {
  it('lists a joined room with timeline, state, summary, ephemeral, account data and unread counts', async () => {
    const alice = await registerUser();
    const roomId = await createRoom(alice, { preset: 'private_chat', name: 'Lounge', topic: 'chat' });
    for (let i = 0; i < 15; i++) await sendMessage(alice, roomId, `m${i}`);
    const body = await sync(alice);
    expect(body.next_batch).toMatch(/^s\d+$/);
    const room = joined(body, roomId);
    expect(bodies(room.timeline.events)).toEqual(['m5', 'm6', 'm7', 'm8', 'm9', 'm10', 'm11', 'm12', 'm13', 'm14']);
    expect(room.timeline.limited).toBe(true);
    expect(room.timeline.prev_batch).toMatch(/^t\d+-\d+$/);
    // The state up to the start of the timeline: everything the room was created with.
    const types = stateOf(body, roomId).map((e: any) => e.type);
    for (const t of ['m.room.create', 'm.room.member', 'm.room.power_levels', 'm.room.join_rules', 'm.room.name', 'm.room.topic']) {
      expect(types).toContain(t);
    }
    // ClientEventWithoutRoomID.
    expect(room.timeline.events[0].room_id).toBeUndefined();
    expect(room.summary).toEqual({ 'm.joined_member_count': 1, 'm.invited_member_count': 0 });
    expect(room.unread_notifications).toEqual({ notification_count: 0, highlight_count: 0 });
    expect(room.ephemeral.events).toEqual([{ type: 'm.typing', content: { user_ids: [] } }]);
    expect(room.account_data).toEqual({ events: [] });
    // The top-level sections are all present.
    expect(body.account_data.events.map((e: any) => e.type)).toContain('m.push_rules');
    expect(body.to_device).toEqual({ events: [] });
    expect(body.device_lists).toEqual({ changed: [], left: [] });
    expect(body.device_one_time_keys_count).toEqual({ signed_curve25519: 0 });
    expect(body.device_unused_fallback_key_types).toEqual([]);
    expect(body.rooms.invite).toEqual({});
    expect(body.rooms.leave).toEqual({});
  });

  it('carries m.push_rules even for a user who never changed a rule', async () => {
    const alice = await registerUser();
    const body = await sync(alice);
    const rules = body.account_data.events.find((e: any) => e.type === 'm.push_rules');
    expect(rules.content.global.override.length).toBeGreaterThan(0);
  });

  it('gives heroes for a room without a name, never the user themself', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const carol = await registerUser();
    const roomId = await createRoom(alice, { preset: 'private_chat', invite: [bob.userId, carol.userId] });
    await join(bob, roomId);
    const room = joined(await sync(alice), roomId);
    // Ordered by the stream of their current membership: Carol's invite came before Bob's join.
    expect(room.summary).toEqual({ 'm.heroes': [carol.userId, bob.userId], 'm.joined_member_count': 2, 'm.invited_member_count': 1 });
  });

  it('a prev_batch token pages back with /messages', async () => {
    const alice = await registerUser();
    const roomId = await createRoom(alice, { preset: 'private_chat' });
    for (let i = 0; i < 12; i++) await sendMessage(alice, roomId, `m${i}`);
    const room = joined(await sync(alice, { filter: { room: { timeline: { limit: 5 } } } }), roomId);
    expect(bodies(room.timeline.events)).toEqual(['m7', 'm8', 'm9', 'm10', 'm11']);
    const page = expectStatus(await messages(alice, roomId, `dir=b&limit=4&from=${enc(room.timeline.prev_batch)}`), 200);
    expect(bodies(page.chunk)).toEqual(['m6', 'm5', 'm4', 'm3']);
  });

  it('lists invites with stripped state and knocks with knock state', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const invited = await createRoom(alice, { preset: 'private_chat', name: 'Secret', invite: [bob.userId] });
    const knockable = await createRoom(alice, { preset: 'private_chat', name: 'Knock here', room_version: '12' });
    await putState(alice, knockable, 'm.room.join_rules', '', { join_rule: 'knock' });
    expectStatus(await api('POST', `${CS}/knock/${enc(knockable)}`, { token: bob.accessToken, body: {} }), 200);
    const body = await sync(bob);
    const inviteState = body.rooms.invite[invited].invite_state.events;
    expect(inviteState).toContainEqual({ type: 'm.room.name', state_key: '', content: { name: 'Secret' }, sender: alice.userId });
    expect(inviteState.find((e: any) => e.type === 'm.room.member')).toMatchObject({ state_key: bob.userId, sender: alice.userId, content: { membership: 'invite' } });
    for (const e of inviteState) expect(Object.keys(e).sort()).toEqual(['content', 'sender', 'state_key', 'type']);
    const knockState = body.rooms.knock[knockable].knock_state.events;
    expect(knockState.find((e: any) => e.type === 'm.room.join_rules').content).toEqual({ join_rule: 'knock' });
    expect(knockState.find((e: any) => e.type === 'm.room.member')).toMatchObject({ state_key: bob.userId, content: { membership: 'knock' } });
    expect(body.rooms.join[invited]).toBeUndefined();
  });

  it('lists left rooms only with include_leave, with the timeline up to the leave', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const roomId = await createRoom(alice, { preset: 'public_chat' });
    await join(bob, roomId);
    await sendMessage(alice, roomId, 'before');
    expectStatus(await membershipAction(bob, roomId, 'leave'), 200);
    await sendMessage(alice, roomId, 'after');
    expect((await sync(bob)).rooms.leave).toEqual({});
    const body = await sync(bob, { filter: { room: { include_leave: true, timeline: { limit: 2 } } } });
    const left = body.rooms.leave[roomId];
    const events = left.timeline.events;
    expect(events.at(-1)).toMatchObject({ type: 'm.room.member', state_key: bob.userId, content: { membership: 'leave' } });
    expect(bodies(events)).toEqual(['before']);
    expect(left.state.events.map((e: any) => e.type)).toContain('m.room.create');
    // A forgotten room is gone from the leave section too.
    expectStatus(await membershipAction(bob, roomId, 'forget'), 200);
    expect((await sync(bob, { filter: { room: { include_leave: true } } })).rooms.leave[roomId]).toBeUndefined();
  });

  it('sees a room joined a moment ago (read-your-writes through the membership index)', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const roomId = await createRoom(alice, { preset: 'public_chat' });
    await join(bob, roomId);
    expect(expectStatus(await api('GET', `${CS}/joined_rooms`, { token: bob.accessToken }), 200).joined_rooms).toContain(roomId);
    expect(joined(await sync(bob), roomId)).toBeDefined();
  });
});

describe('incremental sync', () => {
  it('returns at once with nothing new when timeout is 0, and keeps the token', async () => {
    const alice = await registerUser();
    await createRoom(alice, { preset: 'private_chat' });
    const first = await sync(alice);
    const next = await sync(alice, { since: first.next_batch });
    expect(next.rooms.join).toEqual({});
    expect(next.next_batch).toBe(first.next_batch);
  });

  it('wakes a waiting /sync when a message arrives, and only returns what is new', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const roomId = await createRoom(alice, { preset: 'public_chat' });
    await join(bob, roomId);
    const s = new Syncer(bob);
    await s.next();
    const waiting = s.next({ timeout: 10_000 });
    await sleep(50);
    const t0 = Date.now();
    const eventId = await sendMessage(alice, roomId, 'live');
    const body = await waiting;
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(timelineOf(body, roomId).map((e: any) => e.event_id)).toEqual([eventId]);
    expect(joined(body, roomId).timeline.limited).toBe(false);
    expect(joined(body, roomId).state.events).toEqual([]);
  });

  it('waits out the timeout when nothing happens', async () => {
    const alice = await registerUser();
    await createRoom(alice, { preset: 'private_chat' });
    const first = await sync(alice);
    const t0 = Date.now();
    const body = await sync(alice, { since: first.next_batch, timeout: 300 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
    expect(body.rooms.join).toEqual({});
  });

  it('marks the sender own echo with its transaction_id', async () => {
    const alice = await registerUser();
    const roomId = await createRoom(alice, { preset: 'private_chat' });
    const s = new Syncer(alice);
    await s.next();
    const res = await api('PUT', `${CS}/rooms/${enc(roomId)}/send/m.room.message/txn-echo`, { token: alice.accessToken, body: { msgtype: 'm.text', body: 'x' } });
    expectStatus(res, 200);
    const events = timelineOf(await s.next(), roomId);
    expect(events[0].unsigned.transaction_id).toBe('txn-echo');
  });

  it('after a state change, the new state is in the timeline with prev_content', async () => {
    const alice = await registerUser();
    const roomId = await createRoom(alice, { preset: 'private_chat', name: 'Old' });
    const s = new Syncer(alice);
    await s.next();
    expectStatus(await putState(alice, roomId, 'm.room.name', '', { name: 'New' }), 200);
    const body = await s.next();
    const ev = timelineOf(body, roomId)[0];
    expect(ev).toMatchObject({ type: 'm.room.name', state_key: '', content: { name: 'New' } });
    expect(ev.unsigned.prev_content).toEqual({ name: 'Old' });
    expect(stateOf(body, roomId)).toEqual([]);
  });

  it('a limited incremental sync carries the state changes of the gap', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const roomId = await createRoom(alice, { preset: 'public_chat', name: 'Before' });
    const s = new Syncer(alice, { filter: { room: { timeline: { limit: 3 } } } });
    await s.next();
    await join(bob, roomId);
    expectStatus(await putState(alice, roomId, 'm.room.name', '', { name: 'During' }), 200);
    for (let i = 0; i < 5; i++) await sendMessage(alice, roomId, `m${i}`);
    const body = await s.next();
    const room = joined(body, roomId);
    expect(room.timeline.limited).toBe(true);
    expect(bodies(room.timeline.events)).toEqual(['m2', 'm3', 'm4']);
    const state = room.state.events.map((e: any) => [e.type, e.state_key, e.content.name ?? e.content.membership]);
    expect(state).toContainEqual(['m.room.name', '', 'During']);
    expect(state).toContainEqual(['m.room.member', bob.userId, 'join']);
    expect(room.summary['m.joined_member_count']).toBe(2);
  });

  it('an invite arrives in rooms.invite; joining moves the room to rooms.join with its full state', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const roomId = await createRoom(alice, { preset: 'private_chat', name: 'Club' });
    await sendMessage(alice, roomId, 'earlier');
    const s = new Syncer(bob, { filter: { room: { timeline: { limit: 3 } } } });
    await s.next();
    const waiting = s.next({ timeout: 10_000 });
    await sleep(20);
    expectStatus(await membershipAction(alice, roomId, 'invite', { user_id: bob.userId }), 200);
    const invited = await waiting;
    expect(invited.rooms.invite[roomId].invite_state.events.find((e: any) => e.type === 'm.room.name').content.name).toBe('Club');
    // Nothing more to say about the invite in the next sync.
    expect((await s.next()).rooms.invite[roomId]).toBeUndefined();
    await join(bob, roomId);
    const body = await s.next();
    expect(body.rooms.invite[roomId]).toBeUndefined();
    const room = joined(body, roomId);
    expect(room.timeline.events.at(-1)).toMatchObject({ type: 'm.room.member', state_key: bob.userId, content: { membership: 'join' } });
    const state = room.state.events.map((e: any) => e.type);
    expect(state).toContain('m.room.create');
    expect(state).toContain('m.room.name');
    // Like an initial sync for that room: recent history (shared, so visible to the new member).
    expect(room.timeline.events.map((e: any) => e.type)).toEqual(['m.room.message', 'm.room.member', 'm.room.member']);
    expect(bodies(room.timeline.events)).toEqual(['earlier']);
    expect(room.timeline.limited).toBe(true);
  });

  it('leaving, being kicked and being banned move the room to rooms.leave with the event', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const rooms = await Promise.all([0, 1, 2].map(() => createRoom(alice, { preset: 'public_chat' })));
    for (const r of rooms) await join(bob, r);
    const s = new Syncer(bob);
    await s.next();
    await sendMessage(alice, rooms[0]!, 'bye');
    expectStatus(await membershipAction(bob, rooms[0]!, 'leave'), 200);
    expectStatus(await membershipAction(alice, rooms[1]!, 'kick', { user_id: bob.userId, reason: 'out' }), 200);
    expectStatus(await membershipAction(alice, rooms[2]!, 'ban', { user_id: bob.userId }), 200);
    await sendMessage(alice, rooms[0]!, 'unseen');
    const body = await s.next();
    const leave = body.rooms.leave;
    expect(bodies(leave[rooms[0]!].timeline.events)).toEqual(['bye']);
    expect(leave[rooms[0]!].timeline.events.at(-1).content.membership).toBe('leave');
    expect(leave[rooms[1]!].timeline.events.at(-1)).toMatchObject({ sender: alice.userId, content: { membership: 'leave', reason: 'out' } });
    expect(leave[rooms[2]!].timeline.events.at(-1).content.membership).toBe('ban');
    for (const r of rooms) expect(body.rooms.join[r]).toBeUndefined();
    // Later messages in a left room do not come down.
    await sendMessage(alice, rooms[0]!, 'later');
    const after = await s.next();
    expect(after.rooms.leave[rooms[0]!]).toBeUndefined();
    expect(after.rooms.join[rooms[0]!]).toBeUndefined();
  });

  it('global and room account data arrive in the next sync, and wake a waiting one', async () => {
    const alice = await registerUser();
    const roomId = await createRoom(alice, { preset: 'private_chat' });
    const s = new Syncer(alice);
    await s.next();
    const waiting = s.next({ timeout: 10_000 });
    await sleep(20);
    const user = enc(alice.userId);
    expectStatus(await api('PUT', `${CS}/user/${user}/account_data/org.example.a`, { token: alice.accessToken, body: { a: 1 } }), 200);
    expect((await waiting).account_data.events).toEqual([{ type: 'org.example.a', content: { a: 1 } }]);
    expectStatus(await api('PUT', `${CS}/user/${user}/rooms/${enc(roomId)}/account_data/m.tag`, { token: alice.accessToken, body: { tags: { u: {} } } }), 200);
    const body = await s.next();
    expect(body.account_data.events).toEqual([]);
    expect(joined(body, roomId).account_data.events).toEqual([{ type: 'm.tag', content: { tags: { u: {} } } }]);
    // Changing a push rule sends the new ruleset.
    expectStatus(await api('PUT', `${CS}/pushrules/global/override/.m.rule.master/enabled`, { token: alice.accessToken, body: { enabled: true } }), 200);
    const rules = (await s.next()).account_data.events.find((e: any) => e.type === 'm.push_rules');
    expect(rules.content.global.override.find((r: any) => r.rule_id === '.m.rule.master').enabled).toBe(true);
  });

  it('full_state returns all the state of every joined room, even with nothing new', async () => {
    const alice = await registerUser();
    const roomId = await createRoom(alice, { preset: 'private_chat', name: 'Full' });
    const s = new Syncer(alice);
    await s.next();
    const body = await sync(alice, { since: s.token, fullState: true, timeout: 10_000 });
    expect(stateOf(body, roomId).map((e: any) => e.type)).toContain('m.room.name');
    expect(timelineOf(body, roomId)).toEqual([]);
  });

  it('refuses a since token that is not ours', async () => {
    const alice = await registerUser();
    expectStatus(await syncRaw(alice, { since: 'garbage' }), 400, 'M_INVALID_PARAM');
    expectStatus(await syncRaw(alice, { since: 's99999' }), 400, 'M_INVALID_PARAM');
    expectStatus(await syncRaw(alice, { timeout: -1 }), 400, 'M_INVALID_PARAM');
    expectStatus(await syncRaw(alice, { setPresence: 'busy' }), 400, 'M_INVALID_PARAM');
  });

  it('keeps tokens short however many rooms the user is in', async () => {
    const alice = await registerUser();
    for (let i = 0; i < 10; i++) await createRoom(alice, { preset: 'private_chat' });
    const body = await sync(alice);
    expect(Object.keys(body.rooms.join)).toHaveLength(10);
    expect(body.next_batch.length).toBeLessThan(12);
  });

  it('answers the deprecated /events and /initialSync with M_UNRECOGNIZED', async () => {
    const alice = await registerUser();
    expectStatus(await api('GET', `${CS}/events`, { token: alice.accessToken }), 404, 'M_UNRECOGNIZED');
    expectStatus(await api('GET', `${CS}/initialSync`, { token: alice.accessToken }), 404, 'M_UNRECOGNIZED');
    expectStatus(await api('GET', `${CS}/events/${enc('$x:localhost')}`, { token: alice.accessToken }), 404, 'M_UNRECOGNIZED');
    expectStatus(await api('GET', `${CS}/rooms/${enc('!r:localhost')}/initialSync`, { token: alice.accessToken }), 404, 'M_UNRECOGNIZED');
  });
});
