// to_device in /sync: messages wait in the device's inbox and are delivered until the next
// `since` acknowledges them (client-server "Send-to-Device messaging").
import { describe, expect, it } from 'vitest';
import { api, registerUser, type TestUser } from './helpers.js';
import { CS, enc, expectStatus } from './rooms-helpers.js';
import { sync, Syncer, sleep } from './sync-helpers.js';

let txn = 0;
const send = (from: TestUser, messages: unknown, txnId = `td${++txn}`) =>
  api('PUT', `${CS}/sendToDevice/m.test/${enc(txnId)}`, { token: from.accessToken, body: { messages } });

async function login(user: TestUser): Promise<TestUser> {
  const res = await api('POST', `${CS}/login`, { body: { type: 'm.login.password', identifier: { type: 'm.id.user', user: user.userId }, password: user.password } });
  const body = expectStatus(res, 200);
  return { ...user, accessToken: body.access_token, deviceId: body.device_id };
}

describe('to_device', () => {
  it('wakes the device, repeats until acknowledged by the next since, then is gone', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const s = new Syncer(bob);
    await s.next();
    const start = s.token!;
    const waiting = s.next({ timeout: 5000 });
    await sleep(20);
    expectStatus(await send(alice, { [bob.userId]: { [bob.deviceId]: { n: 1 } } }), 200);
    const got = await waiting;
    expect(got.to_device.events).toEqual([{ sender: alice.userId, type: 'm.test', content: { n: 1 } }]);
    // The response was lost: the same since gets the message again.
    expect((await sync(bob, { since: start })).to_device.events).toHaveLength(1);
    // Syncing from the token that carried it acknowledges it.
    expect((await s.next()).to_device.events).toEqual([]);
    expect((await sync(bob, { since: start })).to_device.events).toEqual([]);
  });

  it('* reaches every device; a named device only that one; a repeated txnId sends nothing', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const bob2 = await login(bob);
    const s1 = new Syncer(bob);
    const s2 = new Syncer(bob2);
    await s1.next();
    await s2.next();
    expectStatus(await send(alice, { [bob.userId]: { '*': { all: true } } }, 'same'), 200);
    expectStatus(await send(alice, { [bob.userId]: { '*': { all: true } } }, 'same'), 200);
    expectStatus(await send(alice, { [bob.userId]: { [bob2.deviceId]: { only: 2 } } }), 200);
    expect((await s1.next()).to_device.events.map((e: any) => e.content)).toEqual([{ all: true }]);
    expect((await s2.next()).to_device.events.map((e: any) => e.content)).toEqual([{ all: true }, { only: 2 }]);
  });

  it('an initial sync delivers what waits', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    expectStatus(await send(alice, { [bob.userId]: { [bob.deviceId]: { early: true } } }), 200);
    expect((await sync(bob)).to_device.events.map((e: any) => e.content)).toEqual([{ early: true }]);
  });
});
