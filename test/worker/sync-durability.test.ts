// Delivery to the User objects is durable: notices go through the room's transactional
// outbox (retried from its alarm), and the User object catches up by asking its rooms when a
// notice is lost. Tokens keep working across restarts of both objects.
import { env, evictDurableObject, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { afterEach, describe, expect, it } from 'vitest';
import { userDeliveryHooks } from '../../durable-objects/room/user-delivery.js';
import { ROOM_INTERNALS, type Room } from '../../durable-objects/room/room.js';
import { USER_INTERNALS, type User } from '../../durable-objects/user/user.js';
import { registerUser } from './helpers.js';
import { createRoom, join, sendMessage } from './rooms-helpers.js';
import { bodies, sync, Syncer, timelineOf } from './sync-helpers.js';

afterEach(() => {
  userDeliveryHooks.mode = 'normal';
});

const roomObject = (roomId: string) => env.ROOMS.getByName(roomId);
const userObject = (userId: string) => env.USERS.getByName(userId);

function outboxCount(roomId: string, kind: string): Promise<number> {
  return runInDurableObject(roomObject(roomId), (room: Room) => {
    const sql = room[ROOM_INTERNALS]().store()!.sql;
    return sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM outbox WHERE kind = ?', kind).one().n;
  });
}

async function twoUsersInARoom() {
  const alice = await registerUser();
  const bob = await registerUser();
  const roomId = await createRoom(alice, { preset: 'public_chat' });
  await join(bob, roomId);
  const s = new Syncer(bob);
  await s.next();
  // The first incremental sync waits for the rooms to take the lease (its catch-up).
  await s.next();
  return { alice, bob, roomId, s };
}

describe('durable delivery', () => {
  it('a send does not wait for delivery; held notices are delivered by the room alarm after a restart', async () => {
    const { alice, roomId, s } = await twoUsersInARoom();
    userDeliveryHooks.mode = 'hold';
    // The write path commits and answers although no User object has been told.
    await sendMessage(alice, roomId, 'held');
    expect(await outboxCount(roomId, 'user')).toBeGreaterThan(0);
    expect(bodies(timelineOf(await s.next({ timeout: 200 }), roomId))).toEqual([]);
    // The room object goes away between persisting and notifying; its alarm delivers.
    await evictDurableObject(roomObject(roomId));
    userDeliveryHooks.mode = 'normal';
    expect(await runDurableObjectAlarm(roomObject(roomId))).toBe(true);
    expect(await outboxCount(roomId, 'user')).toBe(0);
    expect(bodies(timelineOf(await s.next({ timeout: 5000 }), roomId))).toEqual(['held']);
  });

  it('a lost notice is caught up when the User object starts again', async () => {
    const { alice, bob, roomId, s } = await twoUsersInARoom();
    userDeliveryHooks.mode = 'drop';
    await sendMessage(alice, roomId, 'lost');
    expect(await outboxCount(roomId, 'user')).toBe(0);
    userDeliveryHooks.mode = 'normal';
    // Nothing told Bob's object; an evicted object asks its rooms when it starts.
    expect(bodies(timelineOf(await s.next({ timeout: 100 }), roomId))).toEqual([]);
    await evictDurableObject(userObject(bob.userId));
    expect(bodies(timelineOf(await s.next({ timeout: 5000 }), roomId))).toEqual(['lost']);
  });

  it('after the lease ran out, the next sync catches up before answering, even with timeout 0', async () => {
    const { alice, bob, roomId, s } = await twoUsersInARoom();
    userDeliveryHooks.mode = 'drop';
    await sendMessage(alice, roomId, 'while away');
    userDeliveryHooks.mode = 'normal';
    await runInDurableObject(userObject(bob.userId), (user: User) => user[USER_INTERNALS]().setClock(() => Date.now() + 31 * 60_000));
    expect(bodies(timelineOf(await s.next(), roomId))).toEqual(['while away']);
    const lease = await runInDurableObject(userObject(bob.userId), (user: User) => user[USER_INTERNALS]().leaseUntil());
    expect(lease).toBeGreaterThan(Date.now() + 31 * 60_000);
  });

  it('a redelivered or stale notice adds nothing to the stream', async () => {
    const { alice, bob, roomId, s } = await twoUsersInARoom();
    await sendMessage(alice, roomId, 'once');
    const body = await s.next({ timeout: 5000 });
    expect(bodies(timelineOf(body, roomId))).toEqual(['once']);
    const stub = userObject(bob.userId);
    const position = Number(String(s.token).slice(1));
    const notice = { roomId, stream: 1 };
    await stub.notify(notice);
    await stub.notify(notice);
    const after = await sync(bob, { since: s.token });
    expect(after.next_batch).toBe(`s${position}`);
    expect(after.rooms.join).toEqual({});
  });

  it('rooms nobody syncs write no notices for their messages', async () => {
    const alice = await registerUser();
    const roomId = await createRoom(alice, { preset: 'private_chat' });
    userDeliveryHooks.mode = 'hold';
    await sendMessage(alice, roomId, 'quiet');
    expect(await outboxCount(roomId, 'user')).toBe(0);
  });
});

describe('tokens', () => {
  it('an old since still works after both objects restart', async () => {
    const { alice, bob, roomId, s } = await twoUsersInARoom();
    const old = s.token!;
    await sendMessage(alice, roomId, 'one');
    await sendMessage(alice, roomId, 'two');
    const body = await s.next({ timeout: 5000 });
    const seen = bodies(timelineOf(body, roomId));
    await evictDurableObject(userObject(bob.userId));
    await evictDurableObject(roomObject(roomId));
    const again = await sync(bob, { since: old });
    expect(bodies(timelineOf(again, roomId))).toEqual(['one', 'two']);
    expect(seen.length).toBeGreaterThan(0);
  });
});
