// History visibility as a table: for each of the four settings, which messages a user who
// joined later (Bob), a user who left (Dave) and a user only invited (Carol) can see through
// /sync, /messages, /context and /event.
//
// The story, the same for each setting: Dave joins; E1; Bob and Carol are invited; E2; Bob
// joins, Dave leaves; E3.
import { describe, expect, it } from 'vitest';
import { api, registerUser, type TestUser } from './helpers.js';
import { createRoom, enc, expectStatus, join, membershipAction, messages, putState, roomPath, sendMessage } from './rooms-helpers.js';
import { bodies, sync } from './sync-helpers.js';

type Msg = 'E1' | 'E2' | 'E3';
type Who = 'bob' | 'carol' | 'dave';

/** What each user may see, by the spec's rules (client-server "History visibility"). */
const TABLE: Record<string, Record<Who, Msg[]>> = {
  // 1. world_readable: everything, whoever asks.
  world_readable: { bob: ['E1', 'E2', 'E3'], carol: ['E1', 'E2', 'E3'], dave: ['E1', 'E2', 'E3'] },
  // 3. shared: a user who joins later sees history; a mere invitee sees nothing; a leaver sees up to leaving.
  shared: { bob: ['E1', 'E2', 'E3'], carol: [], dave: ['E1', 'E2'] },
  // 4. invited: from the invite on.
  invited: { bob: ['E2', 'E3'], carol: ['E2', 'E3'], dave: ['E1', 'E2'] },
  // 2. joined: only while joined.
  joined: { bob: ['E3'], carol: [], dave: ['E1', 'E2'] },
};

async function story(visibility: string) {
  const [alice, bob, carol, dave] = await Promise.all([registerUser(), registerUser(), registerUser(), registerUser()]);
  const roomId = await createRoom(alice, { preset: 'public_chat' });
  expectStatus(await putState(alice, roomId, 'm.room.history_visibility', '', { history_visibility: visibility }), 200);
  await join(dave, roomId);
  const ids: Record<Msg, string> = { E1: '', E2: '', E3: '' };
  ids.E1 = await sendMessage(alice, roomId, 'E1');
  expectStatus(await membershipAction(alice, roomId, 'invite', { user_id: bob.userId }), 200);
  expectStatus(await membershipAction(alice, roomId, 'invite', { user_id: carol.userId }), 200);
  ids.E2 = await sendMessage(alice, roomId, 'E2');
  await join(bob, roomId);
  expectStatus(await membershipAction(dave, roomId, 'leave'), 200);
  ids.E3 = await sendMessage(alice, roomId, 'E3');
  return { roomId, ids, users: { bob, carol, dave } as Record<Who, TestUser> };
}

const ALL: Msg[] = ['E1', 'E2', 'E3'];
const filter = { room: { timeline: { limit: 50 }, include_leave: true } };

describe.each(Object.keys(TABLE))('history_visibility %s', (visibility) => {
  it('sync, /messages, /context and /event agree with the rules', async () => {
    const { roomId, ids, users } = await story(visibility);
    const expected = TABLE[visibility]!;

    // /sync: the joined user's timeline, the leaver's timeline up to the leave; an invitee
    // gets the stripped invite state only.
    const bobSync = await sync(users.bob, { filter });
    expect(bodies(bobSync.rooms.join[roomId].timeline.events)).toEqual(expected.bob);
    const daveSync = await sync(users.dave, { filter });
    expect(bodies(daveSync.rooms.leave[roomId].timeline.events)).toEqual(expected.dave.filter((m) => m !== 'E3'));
    const carolSync = await sync(users.carol, { filter });
    expect(carolSync.rooms.invite[roomId]).toBeDefined();
    expect(carolSync.rooms.join[roomId]).toBeUndefined();

    for (const who of ['bob', 'carol', 'dave'] as const) {
      const user = users[who];
      const visible = expected[who];
      // Paging the timeline needs membership (now or before), unless the room is world readable.
      const mayPage = who !== 'carol' || visibility === 'world_readable';
      const page = await messages(user, roomId, 'dir=b&limit=50');
      if (mayPage) expect(bodies(expectStatus(page, 200).chunk).reverse(), `${who} /messages`).toEqual(visible);
      else expectStatus(page, 403, 'M_FORBIDDEN');
      for (const m of ALL) {
        const ctx = await api('GET', roomPath(roomId, `/context/${enc(ids[m])}?limit=0`), { token: user.accessToken });
        if (!mayPage) expectStatus(ctx, 403);
        else if (visible.includes(m)) expect(expectStatus(ctx, 200).event.content.body, `${who} /context ${m}`).toBe(m);
        else expectStatus(ctx, 404, 'M_NOT_FOUND');
        const ev = await api('GET', roomPath(roomId, `/event/${enc(ids[m])}`), { token: user.accessToken });
        if (visible.includes(m)) expect(expectStatus(ev, 200).content.body, `${who} /event ${m}`).toBe(m);
        else expectStatus(ev, 404, 'M_NOT_FOUND');
      }
    }
  });
});
