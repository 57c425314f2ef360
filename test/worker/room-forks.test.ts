// Injected PDUs (the federation path, here from tests): format, signature and hash checks,
// rejection and soft-failure, and forks merged by state resolution.
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { buildEvent } from '../../src/core/events/build.js';
import { eventReference } from '../../src/core/crypto/hashes.js';
import { eventSigningPayload, signEvent } from '../../src/core/crypto/event-signing.js';
import { publicKeyFromSeed, withSignature } from '../../src/core/crypto/signing.js';
import { encodeBase64 } from '../../src/core/json/base64.js';
import { getRoomVersion } from '../../src/core/room-versions.js';
import type { JsonObject, Pdu } from '../../src/core/events/types.js';
import { serverSigner } from '../../src/platform/server-signer.js';
import { bodies, createRoom, powerLevelsContent, sendOk, SERVER, type TestRoom } from './room-helpers.js';

const REMOTE = 'remote.test';
const REMOTE_SEED = new Uint8Array(32).fill(9);
const REMOTE_KEY_ID = 'ed25519:r1';
const keys = { [REMOTE]: { [REMOTE_KEY_ID]: encodeBase64(publicKeyFromSeed(REMOTE_SEED)) } };
let n = 0;

interface Spec {
  sender: string;
  type: string;
  stateKey?: string;
  content: JsonObject;
  prev: string[];
  auth: string[];
  ts?: number;
}

/** Builds and signs an event as its sender's server would (ours with the real server key). */
async function signed(room: TestRoom, spec: Spec): Promise<Pdu> {
  const v = getRoomVersion(room.version)!;
  const pdus = await Promise.all([...spec.prev, ...spec.auth].map(async (id) => {
    const r = await room.stub.getPdu(id);
    if (!r.ok) throw new Error(`unknown ${id}`);
    return [id, r.pdu] as const;
  }));
  const byId = new Map(pdus);
  const ref = (id: string) => eventReference(byId.get(id)!, v);
  const origin = spec.sender.slice(spec.sender.indexOf(':') + 1);
  const built = buildEvent({
    version: v,
    roomId: room.roomId,
    sender: spec.sender,
    origin,
    template: { type: spec.type, stateKey: spec.stateKey, content: spec.content },
    prevEvents: spec.prev.map(ref),
    authEvents: spec.auth.map(ref),
    depth: Math.max(...spec.prev.map((id) => byId.get(id)!.depth)) + 1,
    originServerTs: spec.ts ?? Date.now(),
    eventIdLocalpart: `inj${++n}`,
  });
  if (origin === REMOTE) return signEvent(built.pdu, v, REMOTE, REMOTE_KEY_ID, REMOTE_SEED) as Pdu;
  const signer = await serverSigner(env.DB);
  const sig = await signer.sign(eventSigningPayload(built.pdu, v));
  return withSignature(built.pdu, SERVER, signer.keyId, encodeBase64(sig)) as Pdu;
}

async function inject(room: TestRoom, ...pdus: Pdu[]) {
  const r = await room.stub.injectEvents({ pdus, keys });
  if (!r.ok) throw new Error(r.error);
  return r.results;
}

async function stateId(room: TestRoom, type: string, key = ''): Promise<string | undefined> {
  const r = await room.stub.getStateEvent({ type, stateKey: key });
  return r.ok ? r.event.event_id : undefined;
}

async function head(room: TestRoom): Promise<string> {
  const info = await room.stub.getRoomInfo();
  if (!info.ok) throw new Error(info.error);
  return info.info.forwardExtremities[0]!;
}

/** The auth events of a state event by `sender` as the selection algorithm picks them. */
async function authFor(room: TestRoom, sender: string, extra: Array<[string, string]> = []): Promise<string[]> {
  const v = getRoomVersion(room.version)!;
  const pairs: Array<[string, string]> = [['m.room.power_levels', ''], ['m.room.member', sender], ...extra];
  if (!v.auth.roomIdIsCreateEventId) pairs.unshift(['m.room.create', '']);
  const ids = await Promise.all(pairs.map(([t, k]) => stateId(room, t, k)));
  return [...new Set(ids.filter((id): id is string => id !== undefined))];
}

async function remoteJoin(room: TestRoom, user: string): Promise<string> {
  const pdu = await signed(room, {
    sender: user,
    type: 'm.room.member',
    stateKey: user,
    content: { membership: 'join' },
    prev: [await head(room)],
    auth: await authFor(room, user, [['m.room.join_rules', '']]),
  });
  const [r] = await inject(room, pdu);
  expect(r).toMatchObject({ outcome: 'accepted' });
  return r!.eventId!;
}

describe('receiving PDUs', () => {
  it('accepts a remote join signed by its server and makes it current state', async () => {
    const room = await createRoom('12');
    const bob = `@bob:${REMOTE}`;
    const joinId = await remoteJoin(room, bob);
    expect(await stateId(room, 'm.room.member', bob)).toBe(joinId);
    const again = await inject(room, (await room.stub.getPdu(joinId) as unknown as { pdu: Pdu }).pdu);
    expect(again).toEqual([{ eventId: joinId, outcome: 'duplicate' }]);
  });

  it('drops an event with a bad signature, an unknown key or an unknown prev event', async () => {
    const room = await createRoom('12');
    const bob = `@bob:${REMOTE}`;
    const pdu = await signed(room, { sender: bob, type: 'm.room.member', stateKey: bob, content: { membership: 'join' }, prev: [await head(room)], auth: await authFor(room, bob, [['m.room.join_rules', '']]) });
    const forged = { ...pdu, signatures: { [REMOTE]: { [REMOTE_KEY_ID]: pdu.signatures[REMOTE]![REMOTE_KEY_ID]!.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) } } };
    const unknownKey = await room.stub.injectEvents({ pdus: [pdu] });
    const [bad] = await inject(room, forged);
    expect(bad).toMatchObject({ outcome: 'dropped' });
    expect(unknownKey.ok && unknownKey.results[0]).toMatchObject({ outcome: 'dropped', reason: expect.stringMatching(/signature/) });
    const orphan = { ...pdu, prev_events: ['$' + 'A'.repeat(43)] };
    const [missing] = await inject(room, signEvent(orphan, getRoomVersion('12')!, REMOTE, REMOTE_KEY_ID, REMOTE_SEED) as Pdu);
    expect(missing).toMatchObject({ outcome: 'dropped', reason: expect.stringMatching(/unknown prev/) });
    expect(await stateId(room, 'm.room.member', bob)).toBeUndefined();
  });

  it('stores an event whose content does not match its hash in redacted form', async () => {
    const room = await createRoom('12');
    const bob = `@bob:${REMOTE}`;
    await remoteJoin(room, bob);
    const pdu = await signed(room, { sender: bob, type: 'm.room.message', content: { body: 'original' }, prev: [await head(room)], auth: await authFor(room, bob) });
    const tampered = { ...pdu, content: { body: 'tampered' } };
    const [r] = await inject(room, tampered);
    expect(r).toMatchObject({ outcome: 'accepted' });
    const stored = await room.stub.getPdu(r!.eventId!);
    expect(stored.ok && stored.pdu.content).toEqual({});
  });

  it('rejects an event that fails auth against its auth events, and keeps it out of the timeline', async () => {
    const room = await createRoom('12');
    const mallory = `@mallory:${REMOTE}`;
    const pdu = await signed(room, { sender: mallory, type: 'm.room.message', content: { body: 'spam' }, prev: [await head(room)], auth: await authFor(room, mallory) });
    const [r] = await inject(room, pdu);
    expect(r).toMatchObject({ outcome: 'rejected', reason: expect.stringMatching(/not join/) });
    const stored = await room.stub.getPdu(r!.eventId!);
    expect(stored.ok && stored.rejected).toBe(true);
    const msgs = await room.stub.getMessages({ dir: 'b', limit: 50 });
    expect(msgs.ok && bodies(msgs.chunk)).toEqual([]);
    const info = await room.stub.getRoomInfo();
    expect(info.ok && info.info.forwardExtremities).not.toContain(r!.eventId);
  });

  it('soft-fails an event that passes at its own state but not against the current state', async () => {
    const room = await createRoom('12');
    const bob = `@bob:${REMOTE}`;
    const joinId = await remoteJoin(room, bob);
    await sendOk(room, room.creator, 'm.room.member', { membership: 'ban' }, bob);
    // Sent by bob's server as if it had not seen the ban: prev is his own join.
    const auth = [await stateId(room, 'm.room.power_levels'), joinId].filter((x): x is string => !!x);
    const real = await signed(room, { sender: bob, type: 'm.room.message', content: { body: 'after ban' }, prev: [joinId], auth });
    const [r] = await inject(room, real);
    expect(r).toMatchObject({ outcome: 'soft_failed' });
    const msgs = await room.stub.getMessages({ dir: 'b', limit: 50 });
    expect(msgs.ok && bodies(msgs.chunk)).toEqual([]);
    const info = await room.stub.getRoomInfo();
    expect(info.ok && info.info.forwardExtremities).not.toContain(r!.eventId);
  });
});

describe('forks', () => {
  for (const version of ['10', '12']) {
    it(`resolves two concurrent topic changes to the later one whichever arrives first (v${version})`, async () => {
      for (const order of ['AB', 'BA']) {
        const room = await createRoom(version);
        const fork = await head(room);
        const auth = await authFor(room, room.creator);
        const a = await signed(room, { sender: room.creator, type: 'm.room.topic', stateKey: '', content: { topic: 'A' }, prev: [fork], auth, ts: 2_000_000_000_000 });
        const b = await signed(room, { sender: room.creator, type: 'm.room.topic', stateKey: '', content: { topic: 'B' }, prev: [fork], auth, ts: 2_000_000_000_001 });
        const results = await inject(room, ...(order === 'AB' ? [a, b] : [b, a]));
        expect(results.map((r) => r.outcome)).toEqual(['accepted', 'accepted']);
        const info = await room.stub.getRoomInfo();
        expect(info.ok && info.info.forwardExtremities.length).toBe(2);
        const topic = await room.stub.getStateEvent({ type: 'm.room.topic', stateKey: '' });
        // Same power and mainline position: the later origin_server_ts is applied last.
        expect(topic.ok && topic.event.content.topic, order).toBe('B');
        // A local event merges the forks: it cites both extremities.
        const merged = await sendOk(room, room.creator, 'm.room.message', { body: 'merged' });
        const pdu = await room.stub.getPdu(merged);
        expect(pdu.ok && pdu.pdu.prev_events.length).toBe(2);
        const after = await room.stub.getRoomInfo();
        expect(after.ok && after.info.forwardExtremities).toEqual([merged]);
      }
    });
  }

  for (const version of ['1', '2']) {
    it(`merges forks in room v${version} (state resolution ${version === '1' ? 'v1' : 'v2'}, hashed references)`, async () => {
      const room = await createRoom(version);
      const fork = await head(room);
      const auth = await authFor(room, room.creator);
      const a = await signed(room, { sender: room.creator, type: 'm.room.topic', stateKey: '', content: { topic: 'A' }, prev: [fork], auth });
      const b = await signed(room, { sender: room.creator, type: 'm.room.topic', stateKey: '', content: { topic: 'B' }, prev: [fork], auth });
      const results = await inject(room, a, b);
      expect(results.map((r) => r.outcome)).toEqual(['accepted', 'accepted']);
      const topic = await room.stub.getStateEvent({ type: 'm.room.topic', stateKey: '' });
      expect(['A', 'B']).toContain(topic.ok && topic.event.content.topic);
      const merged = await sendOk(room, room.creator, 'm.room.message', { body: 'merged' });
      const pdu = await room.stub.getPdu(merged);
      expect(pdu.ok && pdu.pdu.prev_events.length).toBe(2);
    });
  }

  it('lets a ban in one fork win over the banned user’s state change in the other', async () => {
    const room = await createRoom('12');
    const bob = `@bob:${REMOTE}`;
    await remoteJoin(room, bob);
    await sendOk(room, room.creator, 'm.room.power_levels', powerLevelsContent('12', room.creator, { [bob]: 50 }), '');
    await sendOk(room, room.creator, 'm.room.topic', { topic: 'original' }, '');
    const fork = await head(room);
    const bobTopic = await signed(room, { sender: bob, type: 'm.room.topic', stateKey: '', content: { topic: 'bob was here' }, prev: [fork], auth: await authFor(room, bob) });
    const ban = await signed(room, { sender: room.creator, type: 'm.room.member', stateKey: bob, content: { membership: 'ban' }, prev: [fork], auth: await authFor(room, room.creator, [['m.room.member', bob]]) });
    // Bob's change arrives first and is current until the ban arrives on the other fork.
    const [first] = await inject(room, bobTopic);
    expect(first).toMatchObject({ outcome: 'accepted' });
    expect((await room.stub.getStateEvent({ type: 'm.room.topic', stateKey: '' }) as { event: { content: JsonObject } }).event.content.topic).toBe('bob was here');
    const [second] = await inject(room, ban);
    expect(second).toMatchObject({ outcome: 'accepted' });
    const topic = await room.stub.getStateEvent({ type: 'm.room.topic', stateKey: '' });
    expect(topic.ok && topic.event.content.topic).toBe('original');
    const m = await room.stub.membershipOf(bob);
    expect(m.ok && m.membership?.membership).toBe('ban');
    // The membership index hears about the ban too.
    for (let i = 0; i < 50; i++) {
      const row = await env.DB.prepare('SELECT membership FROM room_memberships WHERE user_id = ? AND room_id = ?').bind(bob, room.roomId).first<{ membership: string }>();
      if (row?.membership === 'ban') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const row = await env.DB.prepare('SELECT membership FROM room_memberships WHERE user_id = ? AND room_id = ?').bind(bob, room.roomId).first<{ membership: string }>();
    expect(row?.membership).toBe('ban');
  });
});
