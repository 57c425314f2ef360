// Receipts (POST /rooms/{roomId}/receipt/{receiptType}/{eventId}) and read markers (POST
// /rooms/{roomId}/read_markers): stored by the room, sent in the ephemeral section.
import { describe, expect, it } from 'vitest';
import { api, registerUser } from './helpers.js';
import { CS, createRoom, enc, expectStatus, join, sendMessage } from './rooms-helpers.js';
import { joined, receiptsIn, sync, Syncer, sleep } from './sync-helpers.js';

const receipt = (user: { accessToken: string }, roomId: string, type: string, eventId: string, body: unknown = {}) =>
  api('POST', `${CS}/rooms/${enc(roomId)}/receipt/${enc(type)}/${enc(eventId)}`, { token: user.accessToken, body });

async function setup() {
  const alice = await registerUser();
  const bob = await registerUser();
  const roomId = await createRoom(alice, { preset: 'public_chat' });
  await join(bob, roomId);
  const e1 = await sendMessage(alice, roomId, 'one');
  const e2 = await sendMessage(alice, roomId, 'two');
  // Presence off: only the receipts under test wake these syncs.
  const sa = new Syncer(alice, { setPresence: 'offline' });
  const sb = new Syncer(bob, { setPresence: 'offline' });
  await sa.next();
  await sb.next();
  return { alice, bob, roomId, e1, e2, sa, sb };
}

describe('receipts', () => {
  it('an m.read receipt reaches the other members, and moves forward', async () => {
    const { alice, bob, roomId, e1, e2, sa } = await setup();
    const waiting = sa.next({ timeout: 5000 });
    await sleep(20);
    expectStatus(await receipt(bob, roomId, 'm.read', e1), 200);
    const content = receiptsIn(await waiting, roomId);
    expect(Object.keys(content)).toEqual([e1]);
    expect(content[e1]['m.read'][bob.userId].ts).toEqual(expect.any(Number));
    expect(content[e1]['m.read'][bob.userId].thread_id).toBeUndefined();
    expectStatus(await receipt(bob, roomId, 'm.read', e2), 200);
    expect(Object.keys(receiptsIn(await sa.next({ timeout: 5000 }), roomId))).toEqual([e2]);
    // A receipt for an older event does not move it back.
    expectStatus(await receipt(bob, roomId, 'm.read', e1), 200);
    expect((await sa.next({ timeout: 200 })).rooms.join).toEqual({});
    // An initial sync carries the current receipts.
    expect(Object.keys(receiptsIn(await sync(alice), roomId))).toEqual([e2]);
  });

  it('m.read.private is seen only by its owner', async () => {
    const { bob, roomId, e2, sa, sb } = await setup();
    expectStatus(await receipt(bob, roomId, 'm.read.private', e2), 200);
    const own = receiptsIn(await sb.next({ timeout: 5000 }), roomId);
    expect(own[e2]['m.read.private'][bob.userId]).toBeDefined();
    expect((await sa.next({ timeout: 200 })).rooms.join).toEqual({});
    expect(receiptsIn(await sync(sa.user), roomId)).toBeUndefined();
  });

  it('threaded receipts carry thread_id; a bad thread_id is refused', async () => {
    const { bob, roomId, e1, e2, sa } = await setup();
    expectStatus(await receipt(bob, roomId, 'm.read', e1, { thread_id: 'main' }), 200);
    expectStatus(await receipt(bob, roomId, 'm.read', e2, { thread_id: e1 }), 200);
    const content = receiptsIn(await sa.next({ timeout: 5000 }), roomId);
    expect(content[e1]['m.read'][bob.userId].thread_id).toBe('main');
    expect(content[e2]['m.read'][bob.userId].thread_id).toBe(e1);
    expectStatus(await receipt(bob, roomId, 'm.read', e1, { thread_id: '' }), 400, 'M_INVALID_PARAM');
    expectStatus(await receipt(bob, roomId, 'm.read', e1, { thread_id: 5 }), 400, 'M_INVALID_PARAM');
    expectStatus(await receipt(bob, roomId, 'm.fully_read', e1, { thread_id: 'main' }), 400, 'M_INVALID_PARAM');
  });

  it('refuses unknown receipt types, unknown events and non-members', async () => {
    const { alice, roomId, e1 } = await setup();
    const carol = await registerUser();
    expectStatus(await receipt(alice, roomId, 'm.unknown', e1), 400, 'M_INVALID_PARAM');
    expectStatus(await receipt(alice, roomId, 'm.read', '$missing:localhost:8008'), 404, 'M_NOT_FOUND');
    expectStatus(await receipt(carol, roomId, 'm.read', e1), 403, 'M_FORBIDDEN');
  });
});

describe('read markers', () => {
  it('sets m.fully_read as room account data and m.read / m.read.private as receipts', async () => {
    const { alice, bob, roomId, e1, e2, sa, sb } = await setup();
    const res = await api('POST', `${CS}/rooms/${enc(roomId)}/read_markers`, {
      token: bob.accessToken,
      body: { 'm.fully_read': e2, 'm.read': e1, 'm.read.private': e2 },
    });
    expectStatus(res, 200);
    const own = await sb.next({ timeout: 5000 });
    expect(joined(own, roomId).account_data.events).toEqual([{ type: 'm.fully_read', content: { event_id: e2 } }]);
    // (The private receipt may arrive in this response or the next one.)
    const later = joined(await sb.next({ timeout: 300 }), roomId);
    const receipts = { ...receiptsIn(own, roomId), ...(later ? receiptsIn({ rooms: { join: { [roomId]: later } } }, roomId) : {}) };
    expect(receipts[e2]['m.read.private'][bob.userId]).toBeDefined();
    const others = receiptsIn(await sa.next({ timeout: 5000 }), roomId);
    expect(others[e1]['m.read'][bob.userId]).toBeDefined();
    expect(others[e2]).toBeUndefined();
    // m.fully_read through the receipt endpoint, and readable as account data.
    expectStatus(await receipt(bob, roomId, 'm.fully_read', e1), 200);
    const ad = await api('GET', `${CS}/user/${enc(bob.userId)}/rooms/${enc(roomId)}/account_data/m.fully_read`, { token: bob.accessToken });
    expect(expectStatus(ad, 200)).toEqual({ event_id: e1 });
    expect(alice).toBeDefined();
  });

  it('refuses a marker for an event that is not in the room', async () => {
    const { bob, roomId } = await setup();
    const res = await api('POST', `${CS}/rooms/${enc(roomId)}/read_markers`, { token: bob.accessToken, body: { 'm.fully_read': '$missing:localhost:8008' } });
    expectStatus(res, 404, 'M_NOT_FOUND');
    expectStatus(await api('POST', `${CS}/rooms/${enc(roomId)}/read_markers`, { token: bob.accessToken, body: { 'm.read': 5 } }), 400, 'M_BAD_JSON');
  });
});
