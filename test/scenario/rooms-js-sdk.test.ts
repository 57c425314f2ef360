// matrix-js-sdk as a real client against `wrangler dev`: a public room with an alias, joined
// by alias, a conversation paginated back to the room's creation, and moderation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Direction, MatrixError, Preset, Visibility, createClient, type MatrixClient } from 'matrix-js-sdk';
import { startServer, type RunningServer } from '../support/server.js';

describe('rooms with matrix-js-sdk', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.stop({ wipe: true });
  });

  async function register(username: string): Promise<MatrixClient> {
    const anon = createClient({ baseUrl: server.baseUrl });
    const res = await anon.registerRequest({ username, password: `${username} password 123`, auth: { type: 'm.login.dummy' } });
    return createClient({ baseUrl: server.baseUrl, userId: res.user_id, accessToken: res.access_token!, deviceId: res.device_id });
  }

  const statusOf = (e: unknown) => (e instanceof MatrixError ? [e.httpStatus, e.errcode] : [undefined, String(e)]);

  it('creates a public room, joins it by alias, talks, paginates to the start and moderates', async () => {
    const alice = await register('alice');
    const bob = await register('bob');
    const carol = await register('carol');
    const alias = `#lounge:${server.serverName}`;

    const { room_id: roomId } = await alice.createRoom({
      visibility: Visibility.Public,
      preset: Preset.PublicChat,
      room_alias_name: 'lounge',
      name: 'The Lounge',
      topic: 'Chat',
    });
    expect((await bob.getRoomIdForAlias(alias)).room_id).toBe(roomId);
    const directory = await bob.publicRooms({ filter: { generic_search_term: 'lounge' } });
    expect(directory.chunk.map((r) => r.room_id)).toContain(roomId);

    // Bob joins by alias; both exchange 50 messages.
    const joined = await bob.joinRoom(alias);
    expect(joined.roomId).toBe(roomId);
    expect((await bob.getJoinedRooms()).joined_rooms).toContain(roomId);
    for (let i = 0; i < 50; i++) {
      const sender = i % 2 === 0 ? alice : bob;
      await sender.sendTextMessage(roomId, `message ${i}`);
    }

    // Paginate backwards until the create event.
    const timeline: any[] = [];
    let from: string | null = null;
    for (let page = 0; page < 20; page++) {
      const res = await bob.createMessagesRequest(roomId, from, 15, Direction.Backward);
      timeline.push(...res.chunk);
      if (!res.end) break;
      from = res.end;
    }
    expect(timeline.at(-1)?.type).toBe('m.room.create');
    const texts = timeline.filter((e) => e.type === 'm.room.message').map((e) => e.content.body);
    expect(texts).toEqual(Array.from({ length: 50 }, (_, i) => `message ${49 - i}`));
    expect(timeline.filter((e) => e.type === 'm.room.message').map((e) => e.sender).slice(0, 2)).toEqual([bob.getUserId(), alice.getUserId()]);

    // Bob, without power, is denied a state change.
    const denied = await bob.sendStateEvent(roomId, 'm.room.topic' as any, { topic: 'mine' } as any, '').catch((e: unknown) => e);
    expect(statusOf(denied)).toEqual([403, 'M_FORBIDDEN']);

    // Alice makes Bob a moderator; he kicks and then bans Carol.
    await carol.joinRoom(roomId);
    const pl = await alice.getStateEvent(roomId, 'm.room.power_levels', '');
    await alice.sendStateEvent(roomId, 'm.room.power_levels' as any, { ...pl, users: { ...pl.users, [bob.getUserId()!]: 50 } } as any, '');
    await bob.kick(roomId, carol.getUserId()!, 'cool down');
    expect((await alice.getStateEvent(roomId, 'm.room.member', carol.getUserId()!)).membership).toBe('leave');
    await carol.joinRoom(roomId);
    await bob.ban(roomId, carol.getUserId()!, 'enough');
    expect((await alice.getStateEvent(roomId, 'm.room.member', carol.getUserId()!)).membership).toBe('ban');
    const rejoin = await carol.joinRoom(roomId).catch((e: unknown) => e);
    expect(statusOf(rejoin)).toEqual([403, 'M_FORBIDDEN']);

    const members = await alice.members(roomId);
    const byUser = Object.fromEntries((members.chunk ?? []).map((e) => [e.state_key, e.content.membership]));
    expect(byUser).toEqual({ [alice.getUserId()!]: 'join', [bob.getUserId()!]: 'join', [carol.getUserId()!]: 'ban' });
  });
});
