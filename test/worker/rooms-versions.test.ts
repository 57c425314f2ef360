// Every supported room version, created and used end to end through the client-server API.
import { describe, expect, it } from 'vitest';
import { SERVER_NAME, api, registerUser, uniqueName } from './helpers.js';
import { createRoom, enc, expectStatus, getState, join, membershipAction, messages, nextTxn, putState, roomPath, sendMessage } from './rooms-helpers.js';

const VERSIONS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12'];

/** Event ID formats: v1-2 `$id:server`, v3 standard Base64 hash, v4+ URL-safe Base64 hash. */
function eventIdPattern(version: string): RegExp {
  if (version === '1' || version === '2') return new RegExp(`^\\$[^:]+:${SERVER_NAME.replace('.', '\\.')}$`);
  if (version === '3') return /^\$[A-Za-z0-9+/]{43}$/;
  return /^\$[A-Za-z0-9_-]{43}$/;
}

describe.each(VERSIONS)('room version %s', (version) => {
  it('creates, joins by alias, talks, names, redacts, kicks, bans and paginates', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const carol = await registerUser();
    const aliasName = uniqueName(`v${version}-`);
    const roomId = await createRoom(alice, { room_version: version, preset: 'public_chat', room_alias_name: aliasName, name: `Room v${version}` });
    if (version === '12') expect(roomId).toMatch(/^![A-Za-z0-9_-]{43}$/);
    else expect(roomId.endsWith(`:${SERVER_NAME}`)).toBe(true);

    const create = expectStatus(await getState(alice, roomId, 'm.room.create'), 200);
    expect(create.room_version).toBe(version);
    if (Number(version) <= 10) expect(create.creator).toBe(alice.userId);
    else expect(create).not.toHaveProperty('creator');
    const pl = expectStatus(await getState(alice, roomId, 'm.room.power_levels'), 200);
    expect(pl.users).toEqual(version === '12' ? {} : { [alice.userId]: 100 });

    expectStatus(await join(bob, `#${aliasName}:${SERVER_NAME}`), 200);
    expectStatus(await join(carol, roomId), 200);
    const hello = await sendMessage(alice, roomId, 'hello');
    expect(hello).toMatch(eventIdPattern(version));
    await sendMessage(bob, roomId, 'hi alice');

    // Power: bob (0) may not rename; alice may, and may make bob a moderator.
    expectStatus(await putState(bob, roomId, 'm.room.name', '', { name: 'bob was here' }), 403, 'M_FORBIDDEN');
    expectStatus(await putState(alice, roomId, 'm.room.name', '', { name: `Renamed v${version}` }), 200);
    const users = version === '12' ? { [bob.userId]: 50 } : { [alice.userId]: 100, [bob.userId]: 50 };
    expectStatus(await putState(alice, roomId, 'm.room.power_levels', '', { ...pl, users }), 200);

    // Redaction by the sender, in the version's layout.
    const redaction = await api('PUT', roomPath(roomId, `/redact/${enc(hello)}/${nextTxn()}`), { token: alice.accessToken, body: { reason: 'r' } });
    expectStatus(redaction, 200);
    expect(expectStatus(await api('GET', roomPath(roomId, `/event/${enc(hello)}`), { token: bob.accessToken }), 200).content).toEqual({});

    // The moderator kicks and bans carol.
    expectStatus(await membershipAction(bob, roomId, 'kick', { user_id: carol.userId, reason: 'k' }), 200);
    expectStatus(await join(carol, roomId), 200);
    expectStatus(await membershipAction(bob, roomId, 'ban', { user_id: carol.userId }), 200);
    expectStatus(await join(carol, roomId), 403, 'M_FORBIDDEN');

    // History reaches the create event.
    const all: any[] = [];
    let from: string | undefined;
    for (let i = 0; i < 10; i++) {
      const page = expectStatus(await messages(bob, roomId, `dir=b&limit=7${from ? `&from=${enc(from)}` : ''}`), 200);
      all.push(...page.chunk);
      if (!page.end) break;
      from = page.end;
    }
    expect(all.at(-1).type).toBe('m.room.create');
    expect(all.filter((e) => e.type === 'm.room.message').map((e) => e.content.body ?? null)).toEqual(['hi alice', null]);
  });
});
