// PUT /rooms/{roomId}/typing/{userId}: typing shows in the others' sync and stops, on request
// or when its timeout runs out, without a new event.
import { describe, expect, it } from 'vitest';
import { api, registerUser } from './helpers.js';
import { CS, createRoom, enc, expectStatus, join } from './rooms-helpers.js';
import { Syncer, sleep, typingIn } from './sync-helpers.js';

const typing = (user: { accessToken: string; userId: string }, roomId: string, body: unknown, who = user.userId) =>
  api('PUT', `${CS}/rooms/${enc(roomId)}/typing/${enc(who)}`, { token: user.accessToken, body });

async function setup() {
  const alice = await registerUser();
  const bob = await registerUser();
  const roomId = await createRoom(alice, { preset: 'public_chat' });
  await join(bob, roomId);
  // Presence off: only the typing under test wakes these syncs.
  const s = new Syncer(bob, { setPresence: 'offline' });
  expect(typingIn(await s.next(), roomId)).toEqual([]);
  return { alice, bob, roomId, s };
}

describe('typing', () => {
  it('wakes the others’ waiting sync and stops on typing: false', async () => {
    const { alice, roomId, s } = await setup();
    const waiting = s.next({ timeout: 5000 });
    await sleep(20);
    expectStatus(await typing(alice, roomId, { typing: true, timeout: 30_000 }), 200);
    expect(typingIn(await waiting, roomId)).toEqual([alice.userId]);
    expectStatus(await typing(alice, roomId, { typing: false }), 200);
    expect(typingIn(await s.next({ timeout: 5000 }), roomId)).toEqual([]);
  });

  it('expires on time, without a new event', async () => {
    const { alice, roomId, s } = await setup();
    expectStatus(await typing(alice, roomId, { typing: true, timeout: 300 }), 200);
    expect(typingIn(await s.next({ timeout: 5000 }), roomId)).toEqual([alice.userId]);
    const t0 = Date.now();
    const body = await s.next({ timeout: 5000 });
    expect(typingIn(body, roomId)).toEqual([]);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(body.rooms.join[roomId].timeline.events).toEqual([]);
  });

  it('repeating the same typing state tells nobody again', async () => {
    const { alice, roomId, s } = await setup();
    expectStatus(await typing(alice, roomId, { typing: true }), 200);
    await s.next({ timeout: 5000 });
    expectStatus(await typing(alice, roomId, { typing: true }), 200);
    expect((await s.next({ timeout: 200 })).rooms.join).toEqual({});
  });

  it('refuses another user, a non-member and a bad body', async () => {
    const { alice, bob, roomId } = await setup();
    const carol = await registerUser();
    expectStatus(await typing(alice, roomId, { typing: true }, bob.userId), 403, 'M_FORBIDDEN');
    expectStatus(await typing(carol, roomId, { typing: true }), 403, 'M_FORBIDDEN');
    expectStatus(await typing(alice, roomId, { timeout: 5 }), 400, 'M_BAD_JSON');
    expectStatus(await typing(alice, roomId, { typing: 'yes' }), 400, 'M_BAD_JSON');
  });
});
