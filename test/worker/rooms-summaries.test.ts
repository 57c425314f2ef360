// Published-directory summaries follow the room's state whatever changes it: the room
// object's outbox (kind 'summary') writes them after redactions and state events that never
// pass through the Worker's state services (federation, other servers' events), and D1 keeps
// the summary of the latest stream position whichever writer comes last.
import { env, runDurableObjectAlarm } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { upsertSummary } from '../../src/db/directory.js';
import { api, registerUser, uniqueName, type TestUser } from './helpers.js';
import { CS, createRoom, enc, expectStatus, roomPath } from './rooms-helpers.js';
import type { RoomStub } from '../../durable-objects/room/api.js';

const stub = (roomId: string) => env.ROOMS.getByName(roomId) as unknown as RoomStub;

async function listed(user: TestUser, tag: string): Promise<any | undefined> {
  const res = await api('POST', `${CS}/publicRooms`, { token: user.accessToken, body: { filter: { generic_search_term: tag } } });
  return expectStatus(res, 200).chunk[0];
}

/** The outbox delivers right after the commit; the alarm is its retry. */
async function eventually(roomId: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 50; i++) {
    if (await check()) return;
    if (i === 25) await runDurableObjectAlarm(env.ROOMS.getByName(roomId));
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('the summary never caught up');
}

describe('published room summaries', () => {
  it('follow a redaction of the room name', async () => {
    const alice = await registerUser();
    const tag = uniqueName('heron');
    const roomId = await createRoom(alice, { visibility: 'public', name: `${tag} room`, topic: 'birds' });
    expect(await listed(alice, 'birds')).toBeDefined();
    const name = expectStatus(await api('GET', roomPath(roomId, '/state/m.room.name?format=event'), { token: alice.accessToken }), 200);
    expectStatus(await api('PUT', roomPath(roomId, `/redact/${enc(name.event_id)}/r1`), { token: alice.accessToken, body: {} }), 200);
    await eventually(roomId, async () => (await listed(alice, tag)) === undefined);
    // Still listed (found by its topic), now without a name.
    const entry = await listed(alice, 'birds');
    expect(entry?.room_id).toBe(roomId);
    expect(entry?.name).toBeUndefined();
  });

  it('follow state events sent to the room object directly (as federation will)', async () => {
    const alice = await registerUser();
    const tag = uniqueName('ibis');
    const roomId = await createRoom(alice, { visibility: 'public', name: `${tag} before` });
    const sent = await stub(roomId).sendEvent({ sender: alice.userId, event: { type: 'm.room.topic', stateKey: '', content: { topic: `${tag} topic` } } });
    expect(sent.ok).toBe(true);
    await eventually(roomId, async () => (await listed(alice, tag))?.topic === `${tag} topic`);
    const renamed = await stub(roomId).sendEvent({ sender: alice.userId, event: { type: 'm.room.name', stateKey: '', content: { name: `${tag} after` } } });
    expect(renamed.ok).toBe(true);
    await eventually(roomId, async () => (await listed(alice, tag))?.name === `${tag} after`);
  });

  it('keep the summary of the later stream position', async () => {
    const alice = await registerUser();
    const tag = uniqueName('crane');
    const roomId = await createRoom(alice, { visibility: 'public', name: `${tag} current` });
    await eventually(roomId, async () => (await listed(alice, tag))?.name === `${tag} current`);
    const row = await env.DB.prepare('SELECT stream FROM room_summaries WHERE room_id = ?').bind(roomId).first<{ stream: number }>();
    expect(row!.stream).toBeGreaterThan(0);
    const stale = { name: `${tag} stale`, topic: null, canonical_alias: null, avatar_url: null, join_rule: 'public', history_visibility: 'shared', guest_access: null, room_type: null };
    await upsertSummary(env.DB, roomId, stale, Date.now(), row!.stream - 1);
    expect((await listed(alice, tag))?.name).toBe(`${tag} current`);
    await upsertSummary(env.DB, roomId, { ...stale, name: `${tag} newer` }, Date.now(), row!.stream + 1);
    expect((await listed(alice, tag))?.name).toBe(`${tag} newer`);
  });
});
