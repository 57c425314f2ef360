// Presence: PUT/GET /presence/{userId}/status, /sync's set_presence, and presence shared with
// the users one shares a room with.
import { describe, expect, it } from 'vitest';
import { api, registerUser, type TestUser } from './helpers.js';
import { CS, createRoom, enc, expectStatus, join } from './rooms-helpers.js';
import { sync, Syncer, sleep } from './sync-helpers.js';

const put = (user: TestUser, body: unknown, who = user.userId) =>
  api('PUT', `${CS}/presence/${enc(who)}/status`, { token: user.accessToken, body });
const get = (user: TestUser, who: string) => api('GET', `${CS}/presence/${enc(who)}/status`, { token: user.accessToken });

const presenceOf = (body: any, userId: string) => body.presence.events.find((e: any) => e.sender === userId)?.content;

describe('presence', () => {
  it('PUT then GET: online, unavailable, offline, status_msg, last_active_ago, currently_active', async () => {
    const alice = await registerUser();
    expectStatus(await put(alice, { presence: 'online', status_msg: 'here' }), 200);
    const online = expectStatus(await get(alice, alice.userId), 200);
    expect(online).toMatchObject({ presence: 'online', status_msg: 'here', currently_active: true });
    expect(online.last_active_ago).toBeGreaterThanOrEqual(0);
    expectStatus(await put(alice, { presence: 'unavailable' }), 200);
    const idle = expectStatus(await get(alice, alice.userId), 200);
    expect(idle.presence).toBe('unavailable');
    expect(idle.status_msg).toBeUndefined();
    expect(idle.currently_active).toBeUndefined();
    expectStatus(await put(alice, { presence: 'offline' }), 200);
    expect(expectStatus(await get(alice, alice.userId), 200).presence).toBe('offline');
  });

  it('is shared with users who share a room, and refused to others', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const stranger = await registerUser();
    const roomId = await createRoom(alice, { preset: 'public_chat' });
    await join(bob, roomId);
    expectStatus(await put(alice, { presence: 'online', status_msg: 'hi' }), 200);
    expect(expectStatus(await get(bob, alice.userId), 200).status_msg).toBe('hi');
    expectStatus(await get(stranger, alice.userId), 403, 'M_FORBIDDEN');
    expectStatus(await get(bob, '@nobody:localhost:8008'), 404, 'M_NOT_FOUND');
    expectStatus(await put(bob, { presence: 'online' }, alice.userId), 403, 'M_FORBIDDEN');
    expectStatus(await put(alice, { presence: 'away' }), 400, 'M_BAD_JSON');
  });

  it('a change wakes the waiting syncs of those who share a room, not of strangers', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const stranger = await registerUser();
    const roomId = await createRoom(alice, { preset: 'public_chat' });
    await join(bob, roomId);
    const sb = new Syncer(bob);
    const ss = new Syncer(stranger);
    await sb.next();
    await ss.next();
    const waiting = sb.next({ timeout: 5000 });
    await sleep(20);
    expectStatus(await put(alice, { presence: 'unavailable', status_msg: 'lunch' }), 200);
    const body = await waiting;
    expect(presenceOf(body, alice.userId)).toMatchObject({ presence: 'unavailable', status_msg: 'lunch' });
    expect((await ss.next({ timeout: 200 })).presence.events).toEqual([]);
    // The initial sync of a room-mate carries it too.
    expect(presenceOf(await sync(bob), alice.userId)).toMatchObject({ presence: 'unavailable' });
  });

  it('set_presence on /sync marks the user online or idle; offline leaves it', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const roomId = await createRoom(alice, { preset: 'public_chat' });
    await join(bob, roomId);
    const sb = new Syncer(bob);
    await sb.next();
    await sync(alice, { setPresence: 'online' });
    let seen: any;
    for (let i = 0; i < 20 && !seen; i++) seen = presenceOf(await sb.next({ timeout: 1000 }), alice.userId);
    expect(seen).toMatchObject({ presence: 'online', currently_active: true });
    await sync(alice, { setPresence: 'unavailable' });
    seen = undefined;
    for (let i = 0; i < 20 && !seen; i++) seen = presenceOf(await sb.next({ timeout: 1000 }), alice.userId);
    expect(seen).toMatchObject({ presence: 'unavailable' });
    await sync(alice, { setPresence: 'offline' });
    await sleep(100);
    expect(expectStatus(await get(bob, alice.userId), 200).presence).toBe('unavailable');
  });
});

describe('presence disabled (PRESENCE_ENABLED=false)', () => {
  it('parses the variable and names it when it is wrong', async () => {
    const { parseConfig } = await import('../../src/config.js');
    expect(parseConfig({ SERVER_NAME: 'example.com' }).presenceEnabled).toBe(true);
    expect(parseConfig({ SERVER_NAME: 'example.com', PRESENCE_ENABLED: 'false' }).presenceEnabled).toBe(false);
    expect(() => parseConfig({ SERVER_NAME: 'example.com', PRESENCE_ENABLED: 'no' })).toThrow(/PRESENCE_ENABLED/);
  });

  it('stores nothing, answers offline, and /sync carries no presence', async () => {
    const { env } = await import('cloudflare:test');
    const presence = await import('../../src/services/presence.js');
    const { sync: syncService } = await import('../../src/services/sync/index.js');
    const alice = await registerUser();
    await createRoom(alice, { preset: 'private_chat' });
    const deps = { env, serverName: 'localhost:8008', enabled: false };
    await presence.setPresenceStatus(deps, alice.userId, 'online', 'hidden');
    const got = await presence.getPresenceStatus(deps, alice.userId, alice.userId);
    expect(got).toEqual({ ok: true, value: { presence: 'offline' } });
    const enabledView = await presence.getPresenceStatus({ ...deps, enabled: true }, alice.userId, alice.userId);
    expect(enabledView).toEqual({ ok: true, value: { presence: 'offline' } });
    const requester = { userId: alice.userId, deviceId: alice.deviceId, isGuest: false, isAdmin: false, tokenHash: 'x' };
    const out = await syncService(
      { env, serverName: 'localhost:8008', presenceEnabled: false, waitUntil: () => undefined },
      requester,
      { timeoutMs: 0, fullState: false, setPresence: 'online' },
    );
    expect(out.ok && out.value.presence.events).toEqual([]);
  });
});
