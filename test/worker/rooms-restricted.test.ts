// Restricted rooms (client-server "Restricted rooms"): joining through membership of an
// allowed room, with `join_authorised_via_users_server` filled in by the server, in room
// versions 8 (restricted), 10 (knock_restricted) and 12 (creators with infinite power).
import { describe, expect, it } from 'vitest';
import { api, registerUser, type TestUser } from './helpers.js';
import { createRoom, enc, expectStatus, getState, join, membershipAction, putState, roomPath } from './rooms-helpers.js';

const memberEvent = async (viewer: TestUser, roomId: string, userId: string) =>
  expectStatus(await api('GET', roomPath(roomId, `/state/m.room.member/${enc(userId)}?format=event`), { token: viewer.accessToken }), 200);

async function restrictedRoom(owner: TestUser, version: string, joinRule: 'restricted' | 'knock_restricted', allowed: string[]) {
  return createRoom(owner, {
    room_version: version,
    preset: 'private_chat',
    initial_state: [
      {
        type: 'm.room.join_rules',
        state_key: '',
        content: { join_rule: joinRule, allow: allowed.map((room_id) => ({ type: 'm.room_membership', room_id })) },
      },
    ],
  });
}

describe.each([
  ['8', 'restricted'],
  ['10', 'restricted'],
  ['10', 'knock_restricted'],
  ['12', 'restricted'],
  ['12', 'knock_restricted'],
] as const)('room version %s, join rule %s', (version, joinRule) => {
  it('lets members of an allowed room join, naming a local member who may invite', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const space = await createRoom(alice, { preset: 'public_chat', room_version: version });
    expectStatus(await join(bob, space), 200);
    const roomId = await restrictedRoom(alice, version, joinRule, [space]);
    expectStatus(await join(bob, roomId), 200);
    const event = await memberEvent(alice, roomId, bob.userId);
    expect(event.content).toMatchObject({ membership: 'join', join_authorised_via_users_server: alice.userId });
    expect(event.sender).toBe(bob.userId);
  });

  it('refuses users in none of the allowed rooms (403), and needs no authoriser for the invited', async () => {
    const alice = await registerUser();
    const carol = await registerUser();
    const space = await createRoom(alice, { preset: 'private_chat', room_version: version });
    const roomId = await restrictedRoom(alice, version, joinRule, [space, `!elsewhere:remote.example`]);
    expectStatus(await join(carol, roomId), 403, 'M_FORBIDDEN');
    expectStatus(await membershipAction(alice, roomId, 'invite', { user_id: carol.userId }), 200);
    expectStatus(await join(carol, roomId), 200);
    const event = await memberEvent(alice, roomId, carol.userId);
    expect(event.content.membership).toBe('join');
    expect(event.content.join_authorised_via_users_server).toBeUndefined();
  });

  it('answers 400 M_UNABLE_TO_GRANT_JOIN when no joined local member may invite', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const dave = await registerUser();
    const space = await createRoom(alice, { preset: 'public_chat', room_version: version });
    expectStatus(await join(bob, space), 200);
    expectStatus(await join(dave, space), 200);
    const roomId = await restrictedRoom(alice, version, joinRule, [space]);
    // Dave joins (authorised by Alice), then Alice leaves: Dave, at the default level, may not invite.
    expectStatus(await join(dave, roomId), 200);
    const pl = expectStatus(await getState(alice, roomId, 'm.room.power_levels'), 200);
    expectStatus(await putState(alice, roomId, 'm.room.power_levels', '', { ...pl, invite: 50 }), 200);
    expectStatus(await membershipAction(alice, roomId, 'leave'), 200);
    expectStatus(await join(bob, roomId), 400, 'M_UNABLE_TO_GRANT_JOIN');
  });
});

describe('restricted join rules where the room version lacks them', () => {
  it('leaves a v7 "restricted" room to the auth rules, which refuse the join', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const space = await createRoom(alice, { preset: 'public_chat', room_version: '7' });
    expectStatus(await join(bob, space), 200);
    const roomId = await restrictedRoom(alice, '7', 'restricted', [space]);
    expectStatus(await join(bob, roomId), 403, 'M_FORBIDDEN');
  });
});
