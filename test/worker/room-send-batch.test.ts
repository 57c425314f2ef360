// Coalesced sends (write/batch.ts): a batch is planned, signed and committed together, and
// each send still gets its own outcome; the in-memory current-state cache stays right across
// batches, refusals and state changes.
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { ROOM_INTERNALS, type Room } from '../../durable-objects/room/room.js';
import { sendEvents } from '../../durable-objects/room/write/batch.js';
import type { SendEventInput, SendEventResult } from '../../durable-objects/room/api.js';
import { bodies, createRoom, join, localUser, message, sendOk, type TestRoom } from './room-helpers.js';

/** Sends the inputs as one batch inside the object, on its write queue. */
function batch(room: TestRoom, inputs: SendEventInput[]): Promise<SendEventResult[]> {
  return runInDurableObject(room.raw, async (instance) => {
    const internals = (instance as unknown as Room)[ROOM_INTERNALS]();
    return internals.serial(async () => sendEvents(await internals.writeContext(), internals.store()!, inputs));
  });
}

const msg = (sender: string, body: string, txnId?: string): SendEventInput => ({
  sender,
  event: { type: 'm.room.message', content: { msgtype: 'm.text', body } },
  ...(txnId ? { txn: { deviceId: 'DEV', scope: 'send/m.room.message', txnId } } : {}),
});

describe('coalesced sends', () => {
  it('gives each send of a batch its own outcome, in order, with one event per transaction', async () => {
    const room = await createRoom('12');
    const bob = localUser('bob');
    const stranger = localUser('eve');
    await join(room, bob);
    const results = await batch(room, [
      msg(room.creator, 'one', 't1'),
      msg(stranger, 'not a member'),
      msg(bob, 'two'),
      msg(room.creator, 'one again', 't1'),
      { sender: bob, event: { type: 'm.room.topic', stateKey: '', content: { topic: 'bob may not' } } },
      msg(room.creator, 'three', 't3'),
    ]);
    expect(results.map((r) => (r.ok ? (r.deduplicated ? 'dup' : 'ok') : r.errcode))).toEqual(['ok', 'M_FORBIDDEN', 'ok', 'dup', 'M_FORBIDDEN', 'ok']);
    expect(results[3]!.ok && results[3]!.eventId).toBe(results[0]!.ok && results[0]!.eventId);
    const streams = results.filter((r) => r.ok && !r.deduplicated).map((r) => (r.ok ? r.stream : 0));
    expect(streams).toEqual([...streams].sort((a, b) => a - b));
    const page = await room.stub.getMessages({ dir: 'b', limit: 10 });
    expect(page.ok && bodies(page.chunk)).toEqual(['three', 'two', 'one']);
    const info = await room.stub.getRoomInfo();
    expect(info.ok && info.info.forwardExtremities).toHaveLength(1);
  });

  it('plans each event of a batch on the state the previous ones leave', async () => {
    const room = await createRoom('12', { joinRule: 'invite' });
    const carol = localUser('carol');
    const results = await batch(room, [
      msg(carol, 'too early'),
      { sender: room.creator, event: { type: 'm.room.member', stateKey: carol, content: { membership: 'invite' } } },
      { sender: carol, event: { type: 'm.room.member', stateKey: carol, content: { membership: 'join' } } },
      msg(carol, 'hello'),
      { sender: room.creator, event: { type: 'm.room.member', stateKey: carol, content: { membership: 'ban' } } },
      msg(carol, 'too late'),
    ]);
    expect(results.map((r) => r.ok)).toEqual([false, true, true, true, true, false]);
    const member = await room.stub.membershipOf(carol);
    expect(member.ok && member.membership?.membership).toBe('ban');
    // The cached current state agrees with SQLite afterwards: the ban holds for later sends.
    expect(await room.stub.sendEvent(msg(carol, 'still banned'))).toMatchObject({ ok: false, errcode: 'M_FORBIDDEN' });
    await sendOk(room, room.creator, 'm.room.member', { membership: 'leave' }, carol);
    expect(await room.stub.sendEvent({ sender: carol, event: { type: 'm.room.member', stateKey: carol, content: { membership: 'join' } } })).toMatchObject({ ok: false });
  });

  it('answers every one of many concurrent RPC sends', async () => {
    const room = await createRoom('12');
    const results = await Promise.all(Array.from({ length: 64 }, (_, i) => room.stub.sendEvent(msg(room.creator, `m${i}`, `c${i}`))));
    expect(results.every((r) => r.ok && !r.deduplicated)).toBe(true);
    expect(new Set(results.map((r) => r.ok && r.eventId)).size).toBe(64);
    await message(room, room.creator, 'after');
    const page = await room.stub.getMessages({ dir: 'b', limit: 100 });
    expect(page.ok && page.chunk.filter((e) => e.type === 'm.room.message')).toHaveLength(65);
  });
});
