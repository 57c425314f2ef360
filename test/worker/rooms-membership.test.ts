import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { SERVER_NAME, api, registerUser, uniqueName } from './helpers.js';
import {
  CS,
  createRoom,
  enc,
  expectStatus,
  getState,
  join,
  membershipAction,
  messages,
  roomPath,
  sendMessage,
} from './rooms-helpers.js';

const joinedRooms = async (token: string) =>
  expectStatus(await api('GET', `${CS}/joined_rooms`, { token }), 200).joined_rooms as string[];

/** The membership index is written by the room's outbox just after the event commits. */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 50; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('condition never held');
}

describe('joining', () => {
  it('joins a public room by ID and by local alias, with a reason, and lists it in /joined_rooms', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const carol = await registerUser();
    const aliasName = uniqueName('lobby');
    const roomId = await createRoom(alice, { preset: 'public_chat', room_alias_name: aliasName });
    expect(expectStatus(await membershipAction(bob, roomId, 'join', { reason: 'hello' }), 200)).toEqual({ room_id: roomId });
    expect(expectStatus(await getState(bob, roomId, 'm.room.member', bob.userId), 200)).toMatchObject({
      membership: 'join',
      reason: 'hello',
      displayname: bob.userId.slice(1).split(':')[0],
    });
    expect(expectStatus(await join(carol, `#${aliasName}:${SERVER_NAME}`), 200)).toEqual({ room_id: roomId });
    await eventually(async () => (await joinedRooms(carol.accessToken)).includes(roomId));
  });

  it('joining again changes nothing', async () => {
    const alice = await registerUser();
    const roomId = await createRoom(alice, { preset: 'public_chat' });
    const before = expectStatus(await getState(alice, roomId, 'm.room.member', alice.userId), 200);
    expectStatus(await join(alice, roomId), 200);
    const after = await api('GET', roomPath(roomId, `/state/m.room.member/${enc(alice.userId)}?format=event`), { token: alice.accessToken });
    expect(after.body.content).toEqual(before);
    const { chunk } = expectStatus(await messages(alice, roomId, 'dir=b&limit=1'), 200);
    expect(chunk[0].type).not.toBe('m.room.member');
  });

  it('refuses invite-only rooms without an invite (403), and lets the invited join', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const roomId = await createRoom(alice);
    expectStatus(await join(bob, roomId), 403, 'M_FORBIDDEN');
    expectStatus(await membershipAction(alice, roomId, 'invite', { user_id: bob.userId, reason: 'welcome' }), 200);
    // "or was already invited to the room"
    expectStatus(await membershipAction(alice, roomId, 'invite', { user_id: bob.userId }), 200);
    expect(expectStatus(await getState(alice, roomId, 'm.room.member', bob.userId), 200)).toMatchObject({ membership: 'invite', reason: 'welcome' });
    expectStatus(await join(bob, roomId), 200);
  });

  it('answers 404 for unknown rooms and aliases, and for aliases on other servers', async () => {
    const bob = await registerUser();
    expectStatus(await join(bob, `!unknown:${SERVER_NAME}`), 404, 'M_NOT_FOUND');
    const viaRemote = await api('POST', `${CS}/join/${enc('!remote:elsewhere.example')}?via=elsewhere.example`, { token: bob.accessToken, body: {} });
    expectStatus(viaRemote, 404, 'M_NOT_FOUND');
    expect(viaRemote.body.error).toContain('federation');
    expectStatus(await join(bob, `#nothing-${uniqueName()}:${SERVER_NAME}`), 404, 'M_NOT_FOUND');
    expectStatus(await join(bob, '#room:elsewhere.example'), 404, 'M_NOT_FOUND');
    expectStatus(await join(bob, 'not-a-room'), 400, 'M_INVALID_PARAM');
  });

  it('lets guests join only rooms whose guest_access is can_join', async () => {
    const alice = await registerUser();
    const guest = await registerUser();
    await env.DB.prepare('UPDATE users SET is_guest = 1 WHERE user_id = ?1').bind(guest.userId).run();
    const open = await createRoom(alice, { preset: 'public_chat' });
    expectStatus(await join(guest, open), 403, 'M_FORBIDDEN');
    const guestsWelcome = await createRoom(alice, {
      preset: 'public_chat',
      initial_state: [{ type: 'm.room.guest_access', content: { guest_access: 'can_join' } }],
    });
    expectStatus(await join(guest, guestsWelcome), 200);
  });
});

describe('invite permissions', () => {
  it('refuses invites from non-members and invites of joined or banned users', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const eve = await registerUser();
    const roomId = await createRoom(alice, { preset: 'public_chat' });
    expectStatus(await membershipAction(eve, roomId, 'invite', { user_id: bob.userId }), 403, 'M_FORBIDDEN');
    expectStatus(await join(bob, roomId), 200);
    expectStatus(await membershipAction(alice, roomId, 'invite', { user_id: bob.userId }), 403, 'M_FORBIDDEN');
    expectStatus(await membershipAction(alice, roomId, 'invite', { user_id: 'bob' }), 400, 'M_BAD_JSON');
    expectStatus(await membershipAction(alice, roomId, 'invite', {}), 400, 'M_BAD_JSON');
  });
});

describe('leaving and forgetting', () => {
  it('leaves with a reason, rejects an invite by leaving, and leaving twice is fine', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const roomId = await createRoom(alice, { preset: 'public_chat', invite: [bob.userId] });
    expectStatus(await membershipAction(bob, roomId, 'leave', { reason: 'no thanks' }), 200);
    expect(expectStatus(await getState(alice, roomId, 'm.room.member', bob.userId), 200)).toMatchObject({ membership: 'leave', reason: 'no thanks' });
    expectStatus(await membershipAction(bob, roomId, 'leave'), 200);
    expectStatus(await membershipAction(alice, roomId, 'leave'), 200);
    await eventually(async () => !(await joinedRooms(alice.accessToken)).includes(roomId));
  });

  it('refuses to leave rooms one was never in (403) or that do not exist (404)', async () => {
    const alice = await registerUser();
    const eve = await registerUser();
    const roomId = await createRoom(alice);
    expectStatus(await membershipAction(eve, roomId, 'leave'), 403, 'M_FORBIDDEN');
    expectStatus(await membershipAction(eve, `!none:${SERVER_NAME}`, 'leave'), 404, 'M_NOT_FOUND');
  });

  it('forgets only after leaving; a forgotten room’s history is gone until the user comes back', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const roomId = await createRoom(alice, { preset: 'public_chat' });
    expectStatus(await join(bob, roomId), 200);
    await sendMessage(alice, roomId, 'before');
    expectStatus(await membershipAction(bob, roomId, 'forget'), 400, 'M_UNKNOWN');
    expectStatus(await membershipAction(bob, roomId, 'leave'), 200);
    expectStatus(await messages(bob, roomId, 'dir=b'), 200);
    expectStatus(await membershipAction(bob, roomId, 'forget'), 200);
    await eventually(async () => (await messages(bob, roomId, 'dir=b')).status === 403);
    expectStatus(await getState(bob, roomId, 'm.room.create'), 403, 'M_FORBIDDEN');
    expectStatus(await api('GET', roomPath(roomId, '/state'), { token: bob.accessToken }), 403, 'M_FORBIDDEN');
    expectStatus(await api('GET', roomPath(roomId, '/members'), { token: bob.accessToken }), 403, 'M_FORBIDDEN');
    expectStatus(await join(bob, roomId), 200);
    await eventually(async () => (await messages(bob, roomId, 'dir=b')).status === 200);
  });
});

describe('kick, ban, unban', () => {
  it('lets a moderator kick and ban; members without power are refused', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const carol = await registerUser();
    const roomId = await createRoom(alice, { preset: 'public_chat' });
    expectStatus(await join(bob, roomId), 200);
    expectStatus(await join(carol, roomId), 200);
    expectStatus(await membershipAction(bob, roomId, 'kick', { user_id: carol.userId }), 403, 'M_FORBIDDEN');
    expectStatus(await membershipAction(bob, roomId, 'ban', { user_id: carol.userId }), 403, 'M_FORBIDDEN');

    expectStatus(await membershipAction(alice, roomId, 'kick', { user_id: carol.userId, reason: 'spam' }), 200);
    expect(expectStatus(await getState(alice, roomId, 'm.room.member', carol.userId), 200)).toMatchObject({ membership: 'leave', reason: 'spam' });
    // "The kickee is not currently in the room."
    expectStatus(await membershipAction(alice, roomId, 'kick', { user_id: carol.userId }), 403, 'M_FORBIDDEN');
    // Kicked users may rejoin a public room.
    expectStatus(await join(carol, roomId), 200);

    expectStatus(await membershipAction(alice, roomId, 'ban', { user_id: carol.userId, reason: 'again' }), 200);
    expect(expectStatus(await getState(alice, roomId, 'm.room.member', carol.userId), 200)).toMatchObject({ membership: 'ban', reason: 'again' });
    expectStatus(await join(carol, roomId), 403, 'M_FORBIDDEN');
    expectStatus(await membershipAction(alice, roomId, 'kick', { user_id: carol.userId }), 403, 'M_FORBIDDEN');
    expectStatus(await membershipAction(bob, roomId, 'unban', { user_id: carol.userId }), 403, 'M_FORBIDDEN');
    expectStatus(await membershipAction(alice, roomId, 'unban', { user_id: bob.userId }), 403, 'M_FORBIDDEN');
    expectStatus(await membershipAction(alice, roomId, 'unban', { user_id: carol.userId, reason: 'sorry' }), 200);
    expectStatus(await join(carol, roomId), 200);
  });

  it('can ban users who never joined', async () => {
    const alice = await registerUser();
    const roomId = await createRoom(alice, { preset: 'public_chat' });
    const stranger = `@stranger:${SERVER_NAME}`;
    expectStatus(await membershipAction(alice, roomId, 'ban', { user_id: stranger }), 200);
    expect(expectStatus(await getState(alice, roomId, 'm.room.member', stranger), 200).membership).toBe('ban');
  });
});

describe('knocking', () => {
  it('knocks on a knock room by alias, and the knock is approved by an invite', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const aliasName = uniqueName('door');
    const roomId = await createRoom(alice, {
      room_alias_name: aliasName,
      initial_state: [{ type: 'm.room.join_rules', content: { join_rule: 'knock' } }],
    });
    const res = await api('POST', `${CS}/knock/${enc(`#${aliasName}:${SERVER_NAME}`)}`, { token: bob.accessToken, body: { reason: 'let me in' } });
    expect(expectStatus(res, 200)).toEqual({ room_id: roomId });
    expect(expectStatus(await getState(alice, roomId, 'm.room.member', bob.userId), 200)).toMatchObject({ membership: 'knock', reason: 'let me in' });
    expectStatus(await membershipAction(alice, roomId, 'invite', { user_id: bob.userId }), 200);
    expectStatus(await join(bob, roomId), 200);
  });

  it('refuses knocks on rooms not set up for knocking, and in room versions without knocking', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const publicRoom = await createRoom(alice, { preset: 'public_chat' });
    expectStatus(await api('POST', `${CS}/knock/${enc(publicRoom)}`, { token: bob.accessToken, body: {} }), 403, 'M_FORBIDDEN');
    const v6 = await createRoom(alice, { room_version: '6', initial_state: [{ type: 'm.room.join_rules', content: { join_rule: 'knock' } }] });
    expectStatus(await api('POST', `${CS}/knock/${enc(v6)}`, { token: bob.accessToken, body: {} }), 403, 'M_FORBIDDEN');
    expectStatus(await api('POST', `${CS}/knock/${enc(`#none-${uniqueName()}:${SERVER_NAME}`)}`, { token: bob.accessToken, body: {} }), 404, 'M_NOT_FOUND');
  });
});

describe('profile changes', () => {
  it('re-sends the member event with the new display name and avatar in every joined room', async () => {
    const alice = await registerUser();
    const rooms = [await createRoom(alice), await createRoom(alice, { room_version: '9' })];
    await eventually(async () => (await joinedRooms(alice.accessToken)).length === 2);
    const profile = (key: string) => `${CS}/profile/${enc(alice.userId)}/${key}`;
    expectStatus(await api('PUT', profile('displayname'), { token: alice.accessToken, body: { displayname: 'Alice Liddell' } }), 200);
    expectStatus(await api('PUT', profile('avatar_url'), { token: alice.accessToken, body: { avatar_url: 'mxc://example.org/rabbit' } }), 200);
    for (const roomId of rooms) {
      expect(expectStatus(await getState(alice, roomId, 'm.room.member', alice.userId), 200)).toEqual({
        membership: 'join',
        displayname: 'Alice Liddell',
        avatar_url: 'mxc://example.org/rabbit',
      });
    }
    expectStatus(await api('DELETE', profile('avatar_url'), { token: alice.accessToken }), 200);
    for (const roomId of rooms) {
      expect(expectStatus(await getState(alice, roomId, 'm.room.member', alice.userId), 200)).toEqual({ membership: 'join', displayname: 'Alice Liddell' });
    }
  });
});
