// /sync filters: stored and inline, and every part of the sync filter the issue lists.
import { describe, expect, it } from 'vitest';
import { api, registerUser, type TestUser } from './helpers.js';
import { CS, createRoom, enc, expectStatus, join, putState, sendMessage } from './rooms-helpers.js';
import { bodies, joined, stateOf, sync, syncRaw, Syncer, timelineOf } from './sync-helpers.js';

async function uploadFilter(user: TestUser, filter: unknown): Promise<string> {
  return expectStatus(await api('POST', `${CS}/user/${enc(user.userId)}/filter`, { token: user.accessToken, body: filter }), 200).filter_id;
}

/** Alice's room with Bob and Carol in it, and a few messages from each. */
async function chatter() {
  const [alice, bob, carol] = await Promise.all([registerUser(), registerUser(), registerUser()]);
  const roomId = await createRoom(alice, { preset: 'public_chat', name: 'Chatter' });
  await join(bob, roomId);
  await join(carol, roomId);
  await sendMessage(alice, roomId, 'a1');
  await sendMessage(bob, roomId, 'b1');
  await sendMessage(carol, roomId, 'c1', 'org.example.custom');
  await sendMessage(alice, roomId, 'a2');
  return { alice, bob, carol, roomId };
}

describe('filter parameter', () => {
  it('accepts a stored filter ID and inline JSON; refuses unknown IDs and bad JSON', async () => {
    const { alice, roomId } = await chatter();
    const id = await uploadFilter(alice, { room: { timeline: { limit: 1 } } });
    expect(bodies(timelineOf(await sync(alice, { filter: id }), roomId))).toEqual(['a2']);
    expect(bodies(timelineOf(await sync(alice, { filter: { room: { timeline: { limit: 2 } } } }), roomId))).toEqual(['a2']);
    expect(timelineOf(await sync(alice, { filter: { room: { timeline: { limit: 2 } } } }), roomId)).toHaveLength(2);
    expectStatus(await syncRaw(alice, { filter: '12345' }), 400, 'M_INVALID_PARAM');
    expectStatus(await syncRaw(alice, { filter: '{not json' }), 400, 'M_INVALID_PARAM');
    expectStatus(await syncRaw(alice, { filter: { room: { timeline: { limit: -1 } } } }), 400, 'M_INVALID_PARAM');
  });
});

describe('room timeline filter', () => {
  it('types and not_types, with * wildcards', async () => {
    const { alice, roomId } = await chatter();
    const only = timelineOf(await sync(alice, { filter: { room: { timeline: { types: ['org.example.*'] } } } }), roomId);
    expect(only.map((e: any) => e.content.body)).toEqual(['c1']);
    const without = timelineOf(await sync(alice, { filter: { room: { timeline: { not_types: ['m.room.member', 'm.room.message'], limit: 50 } } } }), roomId);
    expect(without.some((e: any) => e.type === 'm.room.member' || e.type === 'm.room.message')).toBe(false);
    expect(without.map((e: any) => e.type)).toContain('org.example.custom');
  });

  it('senders and not_senders', async () => {
    const { alice, bob, roomId } = await chatter();
    const fromBob = timelineOf(await sync(alice, { filter: { room: { timeline: { senders: [bob.userId] } } } }), roomId);
    expect(fromBob.every((e: any) => e.sender === bob.userId)).toBe(true);
    expect(bodies(fromBob)).toEqual(['b1']);
    const notAlice = timelineOf(await sync(alice, { filter: { room: { timeline: { not_senders: [alice.userId], limit: 50 } } } }), roomId);
    expect(notAlice.some((e: any) => e.sender === alice.userId)).toBe(false);
  });

  it('limit 0 gives no events but says the timeline is limited', async () => {
    const { alice, roomId } = await chatter();
    const room = joined(await sync(alice, { filter: { room: { timeline: { limit: 0 } } } }), roomId);
    expect(room.timeline.events).toEqual([]);
    expect(room.timeline.limited).toBe(true);
  });
});

describe('room filter', () => {
  it('rooms and not_rooms choose the rooms listed', async () => {
    const alice = await registerUser();
    const a = await createRoom(alice, { preset: 'private_chat' });
    const b = await createRoom(alice, { preset: 'private_chat' });
    expect(Object.keys((await sync(alice, { filter: { room: { rooms: [a] } } })).rooms.join)).toEqual([a]);
    expect(Object.keys((await sync(alice, { filter: { room: { not_rooms: [a] } } })).rooms.join)).toEqual([b]);
    // not_rooms beats rooms.
    expect((await sync(alice, { filter: { room: { rooms: [a], not_rooms: [a] } } })).rooms.join).toEqual({});
  });

  it('incremental syncs leave out changes in excluded rooms and keep waiting', async () => {
    const alice = await registerUser();
    const a = await createRoom(alice, { preset: 'private_chat' });
    const b = await createRoom(alice, { preset: 'private_chat' });
    const s = new Syncer(alice, { filter: { room: { not_rooms: [a] } } });
    await s.next();
    const waiting = s.next({ timeout: 5000 });
    await sendMessage(alice, a, 'hidden');
    await new Promise((r) => setTimeout(r, 100));
    await sendMessage(alice, b, 'shown');
    const body = await waiting;
    expect(Object.keys(body.rooms.join)).toEqual([b]);
    expect(bodies(timelineOf(body, b))).toEqual(['shown']);
  });
});

describe('state filter', () => {
  it('types restrict the state section', async () => {
    const { alice, roomId } = await chatter();
    const state = stateOf(await sync(alice, { filter: { room: { timeline: { limit: 1 }, state: { types: ['m.room.name'] } } } }), roomId);
    expect(state.map((e: any) => e.type)).toEqual(['m.room.name']);
  });

  it('lazy_load_members sends only the members the timeline needs, and the user own', async () => {
    const { alice, bob, carol, roomId } = await chatter();
    const filter = { room: { timeline: { limit: 2 }, state: { lazy_load_members: true } } };
    const state = stateOf(await sync(alice, { filter }), roomId);
    const members = state.filter((e: any) => e.type === 'm.room.member').map((e: any) => e.state_key).sort();
    // The timeline is c1 (Carol) and a2 (Alice): Bob's membership is not needed.
    expect(members).toEqual([alice.userId, carol.userId].sort());
    expect(members).not.toContain(bob.userId);
    expect(state.map((e: any) => e.type)).toContain('m.room.name');
  });

  it('without include_redundant_members, a member already sent is not sent again', async () => {
    const { alice, bob, roomId } = await chatter();
    const filter = { room: { timeline: { limit: 2 }, state: { lazy_load_members: true } } };
    const s = new Syncer(alice, { filter });
    await s.next();
    const before = s.token;
    await sendMessage(bob, roomId, 'b2');
    const first = await s.next();
    expect(stateOf(first, roomId).map((e: any) => e.state_key)).toEqual([bob.userId]);
    await sendMessage(bob, roomId, 'b3');
    const second = await s.next();
    expect(bodies(timelineOf(second, roomId))).toEqual(['b3']);
    expect(stateOf(second, roomId)).toEqual([]);
    // A retry of the first request (as if its response was lost) gets Bob's membership again.
    const retried = await sync(alice, { filter, since: before });
    expect(stateOf(retried, roomId).map((e: any) => e.state_key)).toEqual([bob.userId]);
  });

  it('with include_redundant_members, members come down every time', async () => {
    const { alice, bob, roomId } = await chatter();
    const filter = { room: { timeline: { limit: 2 }, state: { lazy_load_members: true, include_redundant_members: true } } };
    const s = new Syncer(alice, { filter });
    await s.next();
    await sendMessage(bob, roomId, 'b2');
    expect(stateOf(await s.next(), roomId).map((e: any) => e.state_key)).toEqual([bob.userId]);
    await sendMessage(bob, roomId, 'b3');
    expect(stateOf(await s.next(), roomId).map((e: any) => e.state_key)).toEqual([bob.userId]);
  });

  it('a limited sync sends the members of the gap even when lazy loading', async () => {
    const { alice, roomId } = await chatter();
    const filter = { room: { timeline: { limit: 1 }, state: { lazy_load_members: true } } };
    const s = new Syncer(alice, { filter });
    await s.next();
    const dave = await registerUser();
    await join(dave, roomId);
    await sendMessage(alice, roomId, 'x1');
    await sendMessage(alice, roomId, 'x2');
    const state = stateOf(await s.next(), roomId);
    expect(state.filter((e: any) => e.type === 'm.room.member').map((e: any) => e.state_key)).toContain(dave.userId);
  });
});

describe('other filter parts', () => {
  it('event_fields keeps only the listed fields', async () => {
    const { alice, roomId } = await chatter();
    const events = timelineOf(await sync(alice, { filter: { event_fields: ['type', 'content.body'], room: { timeline: { limit: 1 } } } }), roomId);
    expect(events).toEqual([{ type: 'm.room.message', content: { body: 'a2' } }]);
  });

  it('account_data filters global and room account data', async () => {
    const alice = await registerUser();
    const roomId = await createRoom(alice, { preset: 'private_chat' });
    const user = enc(alice.userId);
    for (const t of ['org.example.keep', 'org.example.drop']) {
      expectStatus(await api('PUT', `${CS}/user/${user}/account_data/${t}`, { token: alice.accessToken, body: { t } }), 200);
      expectStatus(await api('PUT', `${CS}/user/${user}/rooms/${enc(roomId)}/account_data/${t}`, { token: alice.accessToken, body: { t } }), 200);
    }
    const body = await sync(alice, { filter: { account_data: { not_types: ['org.example.drop'] }, room: { account_data: { types: ['org.example.keep'] } } } });
    const global = body.account_data.events.map((e: any) => e.type);
    expect(global).toContain('org.example.keep');
    expect(global).not.toContain('org.example.drop');
    expect(joined(body, roomId).account_data.events.map((e: any) => e.type)).toEqual(['org.example.keep']);
    // account_data.types: [] turns it off.
    expect((await sync(alice, { filter: { account_data: { types: [] } } })).account_data.events).toEqual([]);
  });

  it('room.ephemeral can drop typing notifications', async () => {
    const alice = await registerUser();
    const roomId = await createRoom(alice, { preset: 'private_chat' });
    expect(joined(await sync(alice, { filter: { room: { ephemeral: { not_types: ['m.typing'] } } } }), roomId).ephemeral.events).toEqual([]);
    expect(joined(await sync(alice), roomId).ephemeral.events.map((e: any) => e.type)).toEqual(['m.typing']);
  });

  it('presence filter types: [] drops presence', async () => {
    const alice = await registerUser();
    await createRoom(alice, { preset: 'private_chat' });
    expectStatus(await api('PUT', `${CS}/presence/${enc(alice.userId)}/status`, { token: alice.accessToken, body: { presence: 'online' } }), 200);
    expect((await sync(alice)).presence.events.map((e: any) => e.sender)).toEqual([alice.userId]);
    expect((await sync(alice, { filter: { presence: { types: [] } } })).presence.events).toEqual([]);
  });

  it('state changes still reach a client whose timeline filter hides them', async () => {
    const alice = await registerUser();
    const roomId = await createRoom(alice, { preset: 'private_chat', name: 'One' });
    const s = new Syncer(alice, { filter: { room: { timeline: { types: ['m.room.message'] } } } });
    await s.next();
    expectStatus(await putState(alice, roomId, 'm.room.name', '', { name: 'Two' }), 200);
    await sendMessage(alice, roomId, 'after');
    const body = await s.next();
    expect(bodies(timelineOf(body, roomId))).toEqual(['after']);
    expect(stateOf(body, roomId).find((e: any) => e.type === 'm.room.name')?.content).toEqual({ name: 'Two' });
  });
});
