// matrix-js-sdk's sync loop against `wrangler dev`: two clients with startClient(); one
// sends, the other receives it live; typing notifications and read receipts appear and
// disappear; a room left shows in `leave`. Then the server restarts and an old `since`
// token still works.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ClientEvent,
  createClient,
  EventType,
  MsgType,
  Preset,
  ReceiptType,
  RoomEvent,
  RoomMemberEvent,
  type MatrixClient,
  type MatrixEvent,
  type Room,
  type RoomMember,
} from 'matrix-js-sdk';
import { logger } from 'matrix-js-sdk/lib/logger.js';
import { startServer, type RunningServer } from '../support/server.js';

// Quiet: the sdk warns about push rules and RTC sessions it does not find, which is noise here.
(logger as unknown as { setLevel(level: string): void }).setLevel('error');

/** Resolves with the first value `check` returns for an emitted event, or fails after `ms`. */
function waitFor<T>(client: MatrixClient, event: string, check: (...args: any[]) => T | undefined, ms = 15_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.removeListener(event as any, listener);
      reject(new Error(`timed out waiting for ${event}`));
    }, ms);
    const listener = (...args: any[]) => {
      const v = check(...args);
      if (v === undefined) return;
      clearTimeout(timer);
      client.removeListener(event as any, listener);
      resolve(v);
    };
    client.on(event as any, listener);
  });
}

describe('sync with matrix-js-sdk', () => {
  let server: RunningServer;
  const clients: MatrixClient[] = [];

  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    for (const c of clients) c.stopClient();
    await server?.stop({ wipe: true });
  });

  async function register(username: string): Promise<{ client: MatrixClient; token: string }> {
    const anon = createClient({ baseUrl: server.baseUrl });
    const res = await anon.registerRequest({ username, password: `${username} password 123`, auth: { type: 'm.login.dummy' } });
    const client = createClient({ baseUrl: server.baseUrl, userId: res.user_id, accessToken: res.access_token!, deviceId: res.device_id });
    clients.push(client);
    return { client, token: res.access_token! };
  }

  async function start(client: MatrixClient): Promise<void> {
    const prepared = waitFor(client, ClientEvent.Sync, (state: string) => (state === 'PREPARED' ? true : undefined));
    await client.startClient({ initialSyncLimit: 10 });
    await prepared;
  }

  it('delivers messages, typing, receipts and leaves live through running sync loops; tokens survive a restart', async () => {
    const { client: alice } = await register('alice');
    const { client: bob, token: bobToken } = await register('bob');
    await Promise.all([start(alice), start(bob)]);
    const aliceId = alice.getUserId()!;
    const bobId = bob.getUserId()!;

    // An invite reaches Bob's running client; he joins.
    const invited = waitFor(bob, RoomEvent.MyMembership, (room: Room, membership: string) => (membership === 'invite' ? room.roomId : undefined));
    const { room_id: roomId } = await alice.createRoom({ preset: Preset.PrivateChat, name: 'Sync test', invite: [bobId] });
    expect(await invited).toBe(roomId);
    const bobJoined = waitFor(alice, RoomMemberEvent.Membership, (_e: MatrixEvent, m: RoomMember) => (m.userId === bobId && m.membership === 'join' ? true : undefined));
    await bob.joinRoom(roomId);
    await bobJoined;

    // Alice sends; Bob's sync loop receives it live.
    const received = waitFor(bob, RoomEvent.Timeline, (event: MatrixEvent, room: Room | undefined, toStart: boolean) =>
      room?.roomId === roomId && !toStart && event.getType() === EventType.RoomMessage ? event : undefined,
    );
    const t0 = performance.now();
    const { event_id: firstId } = await alice.sendMessage(roomId, { msgtype: MsgType.Text, body: 'hello bob' });
    const first = await received;
    expect(first.getId()).toBe(firstId);
    expect(first.getContent().body).toBe('hello bob');
    expect(performance.now() - t0).toBeLessThan(5000);

    // Typing appears, then disappears when Alice stops...
    const typingOn = waitFor(bob, RoomMemberEvent.Typing, (_e: MatrixEvent, m: RoomMember) => (m.userId === aliceId && m.typing ? true : undefined));
    await alice.sendTyping(roomId, true, 30_000);
    await typingOn;
    const typingOff = waitFor(bob, RoomMemberEvent.Typing, (_e: MatrixEvent, m: RoomMember) => (m.userId === aliceId && !m.typing ? true : undefined));
    await alice.sendTyping(roomId, false, 0);
    await typingOff;
    // ...and when its timeout runs out, with no new event.
    const typingAgain = waitFor(bob, RoomMemberEvent.Typing, (_e: MatrixEvent, m: RoomMember) => (m.userId === aliceId && m.typing ? true : undefined));
    await alice.sendTyping(roomId, true, 1000);
    await typingAgain;
    await waitFor(bob, RoomMemberEvent.Typing, (_e: MatrixEvent, m: RoomMember) => (m.userId === aliceId && !m.typing ? true : undefined), 10_000);

    // Bob's read receipt appears in Alice's client, then moves on to the next message.
    const aliceRoom = alice.getRoom(roomId)!;
    const firstAtAlice = aliceRoom.findEventById(firstId)!;
    const receiptShown = waitFor(alice, RoomEvent.Receipt, () => (aliceRoom.getUsersReadUpTo(firstAtAlice).includes(bobId) ? true : undefined));
    await bob.sendReadReceipt(first, ReceiptType.Read);
    await receiptShown;
    const second = waitFor(bob, RoomEvent.Timeline, (event: MatrixEvent, room: Room | undefined) =>
      room?.roomId === roomId && event.getContent().body === 'second' ? event : undefined,
    );
    const { event_id: secondId } = await alice.sendMessage(roomId, { msgtype: MsgType.Text, body: 'second' });
    const secondAtBob = await second;
    const moved = waitFor(alice, RoomEvent.Receipt, () => {
      const ev = aliceRoom.findEventById(secondId);
      return ev && aliceRoom.getUsersReadUpTo(ev).includes(bobId) ? true : undefined;
    });
    await bob.sendReadReceipt(secondAtBob, ReceiptType.Read);
    await moved;
    expect(aliceRoom.getReceiptsForEvent(firstAtAlice).some((r) => r.userId === bobId)).toBe(false);

    // A sync token from now, for after the restart.
    const before = await fetch(`${server.baseUrl}/_matrix/client/v3/sync?timeout=0`, { headers: { Authorization: `Bearer ${bobToken}` } });
    const oldSince = ((await before.json()) as { next_batch: string }).next_batch;

    // Bob leaves: his client sees the room in `leave`.
    const left = waitFor(bob, RoomEvent.MyMembership, (room: Room, membership: string) => (room.roomId === roomId && membership === 'leave' ? true : undefined));
    await bob.leave(roomId);
    await left;
    expect(bob.getRoom(roomId)?.getMyMembership()).toBe('leave');

    // The server restarts; the old token still works and brings what happened after it.
    for (const c of clients) c.stopClient();
    await server.restart();
    const after = await fetch(`${server.baseUrl}/_matrix/client/v3/sync?since=${oldSince}&timeout=0`, { headers: { Authorization: `Bearer ${bobToken}` } });
    expect(after.status).toBe(200);
    const body = (await after.json()) as any;
    const leave = body.rooms.leave[roomId];
    expect(leave.timeline.events.at(-1)).toMatchObject({ type: 'm.room.member', state_key: bobId, content: { membership: 'leave' } });
  });
});
