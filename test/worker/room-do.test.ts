// The Room Durable Object through its RPC API: every room version, auth failures, txn
// de-duplication, state at old events, paging, restarts, concurrency, redactions, members,
// and the outbox to D1.
import { abortAllDurableObjects, env, evictDurableObject, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { SUPPORTED_ROOM_VERSIONS, getRoomVersion } from '../../src/core/room-versions.js';
import { isValidEventId } from '../../src/core/ids/index.js';
import type { ClientEvent } from '../../durable-objects/room/api.js';
import { bodies, createRoom, join, leave, localUser, message, roomStub, send, sendOk } from './room-helpers.js';

describe('room versions', () => {
  for (const id of SUPPORTED_ROOM_VERSIONS) {
    it(`creates a room v${id} and sends messages and state with IDs in the version's format`, async () => {
      const v = getRoomVersion(id)!;
      const room = await createRoom(id);
      const bob = localUser('bob');
      await join(room, bob);
      const msg = await message(room, bob, `hello v${id}`);
      const topic = await sendOk(room, room.creator, 'm.room.topic', { topic: `v${id}` }, '');
      for (const eventId of [msg, topic]) expect(isValidEventId(eventId, v.eventIdFormat), eventId).toBe(true);
      if (v.eventFormat.eventIdInEvent) expect(msg).toMatch(/^\$[^:]+:localhost:8008$/);
      if (v.roomIdFromCreateEvent) expect(room.roomId).not.toContain(':');
      const pdu = await room.stub.getPdu(msg);
      if (!pdu.ok) throw new Error(pdu.error);
      // v1-2 cite [event_id, {sha256}] pairs; v3+ plain IDs. v12 never cites the create event.
      expect(Array.isArray(pdu.pdu.prev_events[0])).toBe(v.eventFormat.eventReferencesWithHashes);
      expect(pdu.pdu.auth_events.length).toBe(v.auth.roomIdIsCreateEventId ? 2 : 3);
      expect(Object.keys(pdu.pdu.signatures)).toEqual(['localhost:8008']);
      const state = await room.stub.getStateEvent({ type: 'm.room.topic', stateKey: '', asUser: bob });
      expect(state.ok && state.event.content).toEqual({ topic: `v${id}` });
      const msgs = await room.stub.getMessages({ dir: 'b', limit: 3, asUser: bob });
      expect(msgs.ok && msgs.chunk.map((e) => e.event_id)).toEqual([topic, msg, expect.any(String)]);
    });
  }
});

describe('authorisation', () => {
  it('refuses a message from a non-member with M_FORBIDDEN and stores nothing', async () => {
    const room = await createRoom('12');
    const before = await room.stub.getRoomInfo();
    const r = await send(room, localUser('mallory'), 'm.room.message', { body: 'hi' });
    expect(r).toMatchObject({ ok: false, errcode: 'M_FORBIDDEN' });
    expect(!r.ok && r.error).toMatch(/not join/);
    const after = await room.stub.getRoomInfo();
    expect(after.ok && after.info.stream).toBe(before.ok && before.info.stream);
    expect(after.ok && after.info.forwardExtremities).toEqual(before.ok && before.info.forwardExtremities);
  });

  it('refuses a state event below the required power level and leaves the state unchanged', async () => {
    const room = await createRoom('10');
    const bob = localUser('bob');
    await join(room, bob);
    const r = await send(room, bob, 'm.room.name', { name: 'mine' }, '');
    expect(r).toMatchObject({ ok: false, errcode: 'M_FORBIDDEN' });
    const name = await room.stub.getStateEvent({ type: 'm.room.name', stateKey: '' });
    expect(name).toMatchObject({ ok: false, errcode: 'M_NOT_FOUND' });
  });

  it('refuses a join to an invite-only room, and a second create', async () => {
    const room = await createRoom('12', { joinRule: 'invite' });
    const r = await send(room, localUser('bob'), 'm.room.member', { membership: 'join' }, '@bob:localhost:8008');
    expect(r).toMatchObject({ ok: false, errcode: 'M_FORBIDDEN' });
    const again = await room.stub.createRoom({ createEvent: {} as never });
    expect(again).toMatchObject({ ok: false, errcode: 'M_ROOM_IN_USE' });
  });

  it('creates nothing when an initial event fails auth (all or nothing)', async () => {
    await expect(
      createRoom('12', { extra: [{ sender: localUser('stranger'), event: { type: 'm.room.topic', stateKey: '', content: { topic: 'x' } } }] }),
    ).rejects.toThrow(/M_FORBIDDEN/);
  });
});

describe('transaction IDs', () => {
  it('returns the same event ID for a retried (device, scope, txnId) and a new event for another device', async () => {
    const room = await createRoom('12');
    const txn = { deviceId: 'DEVA', scope: 'send/m.room.message', txnId: 'm1' };
    const ev = { type: 'm.room.message', content: { body: 'once' } };
    const first = await room.stub.sendEvent({ sender: room.creator, event: ev, txn });
    const retry = await room.stub.sendEvent({ sender: room.creator, event: ev, txn });
    const other = await room.stub.sendEvent({ sender: room.creator, event: ev, txn: { ...txn, deviceId: 'DEVB' } });
    expect(first).toMatchObject({ ok: true, deduplicated: false });
    expect(retry).toMatchObject({ ok: true, deduplicated: true, eventId: first.ok && first.eventId });
    expect(other.ok && other.eventId).not.toBe(first.ok && first.eventId);
    const msgs = await room.stub.getMessages({ dir: 'b', limit: 5, asUser: room.creator, deviceId: 'DEVA' });
    expect(msgs.ok && bodies(msgs.chunk)).toEqual(['once', 'once']);
    // unsigned.transaction_id only for the device that sent it.
    const mine = msgs.ok ? msgs.chunk.find((e) => e.event_id === (first.ok && first.eventId)) : undefined;
    expect(mine?.unsigned?.transaction_id).toBe('m1');
    const theirs = msgs.ok ? msgs.chunk.find((e) => e.event_id === (other.ok && other.eventId)) : undefined;
    expect(theirs?.unsigned?.transaction_id).toBeUndefined();
  });

  it('de-duplicates concurrent sends of the same transaction', async () => {
    const room = await createRoom('12');
    const txn = { deviceId: 'DEVC', scope: 'send/m.room.message', txnId: 'race' };
    const results = await Promise.all(
      Array.from({ length: 5 }, () => room.stub.sendEvent({ sender: room.creator, event: { type: 'm.room.message', content: { body: 'x' } }, txn })),
    );
    const ids = new Set(results.map((r) => r.ok && r.eventId));
    expect(ids.size).toBe(1);
  });
  it('forgets transaction IDs after a day, and only those', async () => {
    const room = await createRoom('12');
    const ev = { type: 'm.room.message', content: { body: 'kept a day' } };
    const old = { deviceId: 'DEVO', scope: 'send/m.room.message', txnId: 'old' };
    const recent = { ...old, txnId: 'recent' };
    const first = await room.stub.sendEvent({ sender: room.creator, event: ev, txn: old });
    const kept = await room.stub.sendEvent({ sender: room.creator, event: ev, txn: recent });
    // Age the first record past the retention; a fresh object prunes at its first write.
    await runInDurableObject(room.raw, (_instance, state: DurableObjectState) => {
      state.storage.sql.exec('UPDATE txn_ids SET created_ts = created_ts - ? WHERE txn_id = ?', 25 * 3600 * 1000, 'old');
    });
    await evictDurableObject(room.raw);
    await message(room, room.creator, 'a write that prunes');
    const count = await runInDurableObject(room.raw, (_instance, state: DurableObjectState) =>
      state.storage.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM txn_ids WHERE txn_id IN (?, ?)', 'old', 'recent').one().n,
    );
    expect(count).toBe(1);
    const again = await room.stub.sendEvent({ sender: room.creator, event: ev, txn: recent });
    expect(again).toMatchObject({ ok: true, deduplicated: true, eventId: kept.ok && kept.eventId });
    const resent = await room.stub.sendEvent({ sender: room.creator, event: ev, txn: old });
    expect(resent).toMatchObject({ ok: true, deduplicated: false });
    expect(resent.ok && resent.eventId).not.toBe(first.ok && first.eventId);
  });
});

describe('state at old events', () => {
  it('gives each event the state before it, across 150 state changes', async () => {
    const room = await createRoom('12');
    const at: Array<{ msg: string; topic: string }> = [];
    for (let i = 0; i < 150; i++) {
      await sendOk(room, room.creator, 'm.room.topic', { topic: `t${i}` }, '');
      if (i % 10 === 3) at.push({ msg: await message(room, room.creator, `after t${i}`), topic: `t${i}` });
    }
    for (const { msg, topic } of at) {
      let found: unknown;
      let from: string | undefined;
      do {
        const page = await room.stub.getStateAt({ eventId: msg, limit: 2, from });
        if (!page.ok) throw new Error(page.error);
        found ??= page.events.find((e) => e.type === 'm.room.topic')?.content.topic;
        from = page.next;
      } while (from);
      expect(found).toBe(topic);
    }
  });

  it('serves a former member the state as it was when they left', async () => {
    const room = await createRoom('12');
    const bob = localUser('bob');
    await join(room, bob);
    await sendOk(room, room.creator, 'm.room.topic', { topic: 'before' }, '');
    await leave(room, bob);
    await sendOk(room, room.creator, 'm.room.topic', { topic: 'after' }, '');
    const seen = await room.stub.getStateEvent({ type: 'm.room.topic', stateKey: '', asUser: bob });
    expect(seen.ok && seen.event.content.topic).toBe('before');
    const stranger = await room.stub.getStateEvent({ type: 'm.room.topic', stateKey: '', asUser: localUser('eve') });
    expect(stranger).toMatchObject({ ok: false, errcode: 'M_FORBIDDEN' });
  });

  it('includes prev_content and replaces_state for replaced state', async () => {
    const room = await createRoom('12');
    const first = await sendOk(room, room.creator, 'm.room.topic', { topic: 'one' }, '');
    await sendOk(room, room.creator, 'm.room.topic', { topic: 'two' }, '');
    const r = await room.stub.getStateEvent({ type: 'm.room.topic', stateKey: '' });
    expect(r.ok && r.event.unsigned).toMatchObject({ replaces_state: first, prev_content: { topic: 'one' } });
  });
});

describe('/messages', () => {
  it('pages back to the create event across 300 events, and forward again, in topological order', async () => {
    const room = await createRoom('11');
    for (let i = 0; i < 300; i++) await message(room, room.creator, `m${i}`);
    const back: ClientEvent[] = [];
    let from: string | undefined;
    for (;;) {
      const page = await room.stub.getMessages({ dir: 'b', limit: 37, from, asUser: room.creator });
      if (!page.ok) throw new Error(page.error);
      back.push(...page.chunk);
      if (!page.end) break;
      from = page.end;
    }
    expect(back.length).toBe(305);
    expect(back[back.length - 1]!.type).toBe('m.room.create');
    expect(bodies(back)).toEqual(Array.from({ length: 300 }, (_, i) => `m${299 - i}`));
    const fwd: ClientEvent[] = [];
    from = undefined;
    for (;;) {
      const page = await room.stub.getMessages({ dir: 'f', limit: 50, from, asUser: room.creator });
      if (!page.ok) throw new Error(page.error);
      fwd.push(...page.chunk);
      if (!page.end) break;
      from = page.end;
    }
    expect(fwd.map((e) => e.event_id)).toEqual(back.map((e) => e.event_id).reverse());
  });

  it('applies the event filter and honours the to token', async () => {
    const room = await createRoom('12');
    const start = await room.stub.getRoomInfo();
    await message(room, room.creator, 'a');
    await sendOk(room, room.creator, 'm.room.topic', { topic: 'x' }, '');
    await message(room, room.creator, 'b');
    const filtered = await room.stub.getMessages({ dir: 'b', limit: 10, asUser: room.creator, filter: { types: ['m.room.message'] } });
    expect(filtered.ok && filtered.chunk.map((e) => e.type)).toEqual(['m.room.message', 'm.room.message']);
    const bounded = await room.stub.getMessages({ dir: 'b', limit: 10, asUser: room.creator, to: start.ok ? start.info.currentToken : '' });
    expect(bounded.ok && bounded.chunk.length).toBe(3);
    expect(await room.stub.getMessages({ dir: 'b', from: 'garbage' })).toMatchObject({ ok: false, errcode: 'M_INVALID_PARAM' });
  });

  it('serves /context around an event and finds events by timestamp', async () => {
    const room = await createRoom('12');
    for (let i = 0; i < 9; i++) {
      await room.stub.sendEvent({ sender: room.creator, event: { type: 'm.room.message', content: { body: `c${i}` } }, originServerTs: 1_000_000 + i * 1000 });
    }
    const msgs = await room.stub.getMessages({ dir: 'b', limit: 9, asUser: room.creator });
    const chronological = msgs.ok ? msgs.chunk.map((e) => e.event_id).reverse() : [];
    const ctx = await room.stub.getContext({ eventId: chronological[4]!, limit: 4, asUser: room.creator });
    if (!ctx.ok) throw new Error(ctx.error);
    expect(ctx.event.content.body).toBe('c4');
    expect(bodies(ctx.events_before)).toEqual(['c3', 'c2']);
    expect(bodies(ctx.events_after)).toEqual(['c5', 'c6']);
    // The whole state at the last event returned (c6): create, member, power levels, ...
    expect(ctx.state.map((e) => e.type)).toEqual(expect.arrayContaining(['m.room.create', 'm.room.member', 'm.room.power_levels']));
    expect(ctx.state.filter((e) => e.type === 'm.room.member').map((e) => e.state_key)).toEqual([room.creator]);
    const lazy = await room.stub.getContext({ eventId: chronological[4]!, limit: 4, asUser: room.creator, filter: { lazy_load_members: true } });
    expect(lazy.ok && lazy.state.map((e) => [e.type, e.state_key])).toEqual([['m.room.member', room.creator]]);
    const after = await room.stub.getMessages({ dir: 'f', from: ctx.end, limit: 1, asUser: room.creator });
    expect(after.ok && bodies(after.chunk)).toEqual(['c7']);
    const f = await room.stub.timestampToEvent({ ts: 1_002_500, dir: 'f', asUser: room.creator });
    expect(f).toMatchObject({ ok: true, event_id: chronological[3], origin_server_ts: 1_003_000 });
    const b = await room.stub.timestampToEvent({ ts: 1_002_500, dir: 'b', asUser: room.creator });
    expect(b).toMatchObject({ ok: true, event_id: chronological[2] });
  });
});

describe('durability and concurrency', () => {
  it('keeps an acknowledged event across an eviction of the object', async () => {
    const room = await createRoom('12');
    const id = await message(room, room.creator, 'survives');
    await evictDurableObject(room.raw);
    const again = roomStub(room.roomId);
    const ev = await again.getEvent({ eventId: id, asUser: room.creator });
    expect(ev.ok && ev.event.content.body).toBe('survives');
    // And the room keeps working: the next event builds on it.
    const next = await again.sendEvent({ sender: room.creator, event: { type: 'm.room.message', content: { body: 'next' } } });
    const pdu = next.ok ? await again.getPdu(next.eventId) : undefined;
    expect(pdu?.ok && pdu.pdu.prev_events).toEqual([id]);
  });

  it('keeps an acknowledged event when the object is aborted, and tokens stay valid', async () => {
    const room = await createRoom('10');
    await message(room, room.creator, 'one');
    const before = await room.stub.getMessages({ dir: 'b', limit: 1, asUser: room.creator });
    const id = await message(room, room.creator, 'two');
    await abortAllDurableObjects();
    const again = roomStub(room.roomId);
    const ev = await again.getEvent({ eventId: id, asUser: room.creator });
    expect(ev.ok && ev.event.content.body).toBe('two');
    // A token handed out before the restart still pages from the same place.
    const page = await again.getMessages({ dir: 'b', limit: 1, asUser: room.creator, from: before.ok ? before.end : '' });
    expect(page.ok && bodies(page.chunk)).toEqual([]);
    const fwd = await again.getMessages({ dir: 'f', limit: 5, asUser: room.creator, from: before.ok ? before.start : '' });
    expect(fwd.ok && bodies(fwd.chunk)).toEqual(['two']);
  });

  it('orders 16 concurrent sends into one linear chain', async () => {
    const room = await createRoom('12');
    const results = await Promise.all(Array.from({ length: 16 }, (_, i) => message(room, room.creator, `c${i}`)));
    expect(new Set(results).size).toBe(16);
    const info = await room.stub.getRoomInfo();
    expect(info.ok && info.info.forwardExtremities.length).toBe(1);
    const msgs = await room.stub.getMessages({ dir: 'b', limit: 16, asUser: room.creator });
    const depths = msgs.ok ? await Promise.all(msgs.chunk.map(async (e) => { const p = await room.stub.getPdu(e.event_id); return p.ok ? p.pdu.depth : 0; })) : [];
    expect(new Set(depths).size).toBe(16);
  });
});

describe('redactions', () => {
  it('serves a redacted event stripped per the room version, with unsigned.redacted_because', async () => {
    const room = await createRoom('11');
    const bob = localUser('bob');
    await join(room, bob);
    const target = await message(room, bob, 'oops');
    const redaction = await room.stub.sendEvent({ sender: bob, event: { type: 'm.room.redaction', content: { reason: 'typo' }, redacts: target } });
    expect(redaction.ok).toBe(true);
    const ev = await room.stub.getEvent({ eventId: target, asUser: room.creator });
    if (!ev.ok) throw new Error(ev.error);
    expect(ev.event.content).toEqual({});
    expect(ev.event.unsigned?.redacted_because).toMatchObject({ type: 'm.room.redaction', sender: bob, content: { reason: 'typo', redacts: target } });
  });

  it("refuses to redact someone else's event without the redact power level", async () => {
    const room = await createRoom('10');
    const bob = localUser('bob');
    await join(room, bob);
    const target = await message(room, room.creator, 'mine');
    const r = await room.stub.sendEvent({ sender: bob, event: { type: 'm.room.redaction', content: {}, redacts: target } });
    expect(r).toMatchObject({ ok: false, errcode: 'M_FORBIDDEN' });
    const byAdmin = await room.stub.sendEvent({ sender: room.creator, event: { type: 'm.room.redaction', content: {}, redacts: target } });
    expect(byAdmin.ok).toBe(true);
    const ev = await room.stub.getEvent({ eventId: target });
    expect(ev.ok && ev.event.content).toEqual({});
  });
});

describe('members', () => {
  it('pages /members and filters by membership', async () => {
    const room = await createRoom('12');
    const users = Array.from({ length: 5 }, () => localUser('m'));
    for (const u of users) await join(room, u);
    await leave(room, users[0]!);
    const all: string[] = [];
    let from: string | undefined;
    do {
      const page = await room.stub.getMembers({ asUser: room.creator, limit: 2, from });
      if (!page.ok) throw new Error(page.error);
      all.push(...page.chunk.map((e) => e.state_key!));
      from = page.next;
    } while (from);
    expect(all.sort()).toEqual([room.creator, ...users].sort());
    const joined = await room.stub.getMembers({ asUser: room.creator, membership: 'join' });
    expect(joined.ok && joined.chunk.length).toBe(5);
    const notJoined = await room.stub.getMembers({ asUser: room.creator, notMembership: 'join' });
    expect(notJoined.ok && notJoined.chunk.map((e) => e.state_key)).toEqual([users[0]]);
    const jm = await room.stub.getJoinedMembers({ asUser: room.creator });
    expect(jm.ok && jm.joined[room.creator]).toEqual({ display_name: 'Alice' });
    expect(jm.ok && Object.keys(jm.joined).length).toBe(5);
    const m = await room.stub.membershipOf(users[0]!);
    expect(m.ok && m.membership?.membership).toBe('leave');
  });

  it('reads members at an earlier point with `at`', async () => {
    const room = await createRoom('12');
    const bob = localUser('bob');
    const early = await room.stub.getRoomInfo();
    await join(room, bob);
    const then = await room.stub.getMembers({ asUser: room.creator, at: early.ok ? early.info.currentToken : '' });
    expect(then.ok && then.chunk.map((e) => e.state_key)).toEqual([room.creator]);
  });

  it('pages the current state', async () => {
    const room = await createRoom('12');
    for (let i = 0; i < 20; i++) await sendOk(room, room.creator, 'org.example.state', { i }, `k${i}`);
    const keys: string[] = [];
    let from: string | undefined;
    do {
      const page = await room.stub.getCurrentState({ asUser: room.creator, limit: 7, from });
      if (!page.ok) throw new Error(page.error);
      keys.push(...page.events.map((e) => `${e.type}|${e.state_key}`));
      from = page.next;
    } while (from);
    expect(keys.length).toBe(25);
    expect(new Set(keys).size).toBe(25);
  });
});

describe('outbox', () => {
  async function indexed(userId: string, roomId: string) {
    return env.DB.prepare('SELECT membership, stream FROM room_memberships WHERE user_id = ? AND room_id = ?').bind(userId, roomId).first<{ membership: string; stream: number }>();
  }

  it('delivers membership changes to the D1 index after the commit', async () => {
    const room = await createRoom('12');
    const bob = localUser('bob');
    await join(room, bob);
    await leave(room, bob);
    // Delivery runs after the response; the alarm is its retry.
    for (let i = 0; i < 50 && (await indexed(bob, room.roomId))?.membership !== 'leave'; i++) await new Promise((r) => setTimeout(r, 20));
    await runDurableObjectAlarm(room.raw);
    expect(await indexed(bob, room.roomId)).toMatchObject({ membership: 'leave' });
    expect(await indexed(room.creator, room.roomId)).toMatchObject({ membership: 'join' });
  });

  it('keeps the newest membership when an older change is delivered again', async () => {
    const room = await createRoom('12');
    const bob = localUser('bob');
    await join(room, bob);
    await leave(room, bob);
    for (let i = 0; i < 50 && (await indexed(bob, room.roomId))?.membership !== 'leave'; i++) await new Promise((r) => setTimeout(r, 20));
    const { applyMembershipChanges } = await import('../../src/db/room-memberships.js');
    const row = await indexed(bob, room.roomId);
    await applyMembershipChanges(env.DB, [{ userId: bob, roomId: room.roomId, membership: 'join', eventId: '$old', stream: row!.stream - 1 }], Date.now());
    expect(await indexed(bob, room.roomId)).toMatchObject({ membership: 'leave' });
  });
});
