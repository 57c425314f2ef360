// Sending over HTTP: transaction IDs scoped as the spec's "Transaction identifiers" says ("for
// a single device, and a single HTTP endpoint"; a retransmission has "the same path"), kept
// across an access-token refresh, with rows from before the scoping still honoured; and many
// concurrent senders into one room.
import { env, evictDurableObject, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { hashToken } from '../../src/services/sessions.js';
import { api, registerUser, uniqueName } from './helpers.js';
import { CS, createRoom, enc, expectStatus, join, messages, nextTxn, roomPath, sendMessage } from './rooms-helpers.js';

const text = (body: string) => ({ msgtype: 'm.text', body });

describe('transaction IDs', () => {
  it('keeps /send and /redact apart, and each event type path apart', async () => {
    const alice = await registerUser();
    const roomId = await createRoom(alice);
    const txn = nextTxn();
    const target = await sendMessage(alice, roomId, 'to be redacted');
    const sent = expectStatus(await api('PUT', roomPath(roomId, `/send/m.room.message/${txn}`), { token: alice.accessToken, body: text('a') }), 200);
    const redacted = expectStatus(await api('PUT', roomPath(roomId, `/redact/${enc(target)}/${txn}`), { token: alice.accessToken, body: {} }), 200);
    expect(redacted.event_id).not.toBe(sent.event_id);
    const other = expectStatus(await api('PUT', roomPath(roomId, `/send/org.example.custom/${txn}`), { token: alice.accessToken, body: { x: 1 } }), 200);
    expect(other.event_id).not.toBe(sent.event_id);
    // Each of them retried is the same request again.
    expect(expectStatus(await api('PUT', roomPath(roomId, `/send/m.room.message/${txn}`), { token: alice.accessToken, body: text('a') }), 200).event_id).toBe(sent.event_id);
    expect(expectStatus(await api('PUT', roomPath(roomId, `/redact/${enc(target)}/${txn}`), { token: alice.accessToken, body: {} }), 200).event_id).toBe(redacted.event_id);
    const event = expectStatus(await api('GET', roomPath(roomId, `/event/${enc(target)}`), { token: alice.accessToken }), 200);
    expect(event.unsigned.redacted_because.event_id).toBe(redacted.event_id);
  });

  it('recognises a retry after the access token was refreshed, and shows its transaction_id', async () => {
    const reg = await api('POST', `${CS}/register`, {
      body: { username: uniqueName('refresher'), password: 'pw', refresh_token: true, auth: { type: 'm.login.dummy' } },
    });
    const first = expectStatus(reg, 200);
    const roomId = expectStatus(await api('POST', `${CS}/createRoom`, { token: first.access_token, body: {} }), 200).room_id;
    const txn = nextTxn();
    const path = roomPath(roomId, `/send/m.room.message/${txn}`);
    const sent = expectStatus(await api('PUT', path, { token: first.access_token, body: text('once') }), 200);
    const refreshed = expectStatus(await api('POST', `${CS}/refresh`, { body: { refresh_token: first.refresh_token } }), 200);
    expect(refreshed.access_token).not.toBe(first.access_token);
    const retried = expectStatus(await api('PUT', path, { token: refreshed.access_token, body: text('once') }), 200);
    expect(retried.event_id).toBe(sent.event_id);
    const event = expectStatus(await api('GET', roomPath(roomId, `/event/${enc(sent.event_id)}`), { token: refreshed.access_token }), 200);
    expect(event.unsigned.transaction_id).toBe(txn);
    const { chunk } = expectStatus(await api('GET', roomPath(roomId, '/messages?dir=b&limit=5'), { token: refreshed.access_token }), 200);
    expect(chunk.filter((e: any) => e.content.body === 'once')).toHaveLength(1);
  });

  it('still honours transaction rows stored per access token before the scoping', async () => {
    const alice = await registerUser();
    const roomId = await createRoom(alice);
    const txn = nextTxn();
    const path = roomPath(roomId, `/send/m.room.message/${txn}`);
    const sent = expectStatus(await api('PUT', path, { token: alice.accessToken, body: text('old') }), 200);
    // Rewrite the row as the first schema stored it: keyed by the token's hash alone.
    const tokenHash = await hashToken(alice.accessToken);
    await runInDurableObject(env.ROOMS.getByName(roomId), (_room, state) => {
      state.storage.sql.exec('DELETE FROM txn_ids WHERE event_id = ?', sent.event_id);
      state.storage.sql.exec('INSERT INTO txns (token_hash, txn_id, event_id, created_ts) VALUES (?, ?, ?, ?)', tokenHash, txn, sent.event_id, Date.now());
    });
    // As after an upgrade: the object starts afresh over a database that has such rows.
    await evictDurableObject(env.ROOMS.getByName(roomId));
    expect(expectStatus(await api('PUT', path, { token: alice.accessToken, body: text('old') }), 200).event_id).toBe(sent.event_id);
    const event = expectStatus(await api('GET', roomPath(roomId, `/event/${enc(sent.event_id)}`), { token: alice.accessToken }), 200);
    expect(event.unsigned.transaction_id).toBe(txn);
    // The old row cannot stand for a request on another path.
    const other = expectStatus(await api('PUT', roomPath(roomId, `/send/org.example.other/${txn}`), { token: alice.accessToken, body: {} }), 200);
    expect(other.event_id).not.toBe(sent.event_id);
  });
});

describe('concurrent senders', () => {
  it('stores every message of 16 concurrent senders once, retries included, in one linear timeline', async () => {
    const alice = await registerUser();
    const roomId = await createRoom(alice, { preset: 'public_chat' });
    const senders = [alice, ...(await Promise.all(Array.from({ length: 15 }, () => registerUser())))];
    for (const s of senders.slice(1)) expectStatus(await join(s, roomId), 200);
    const sent = await Promise.all(
      senders.flatMap((s, i) =>
        [0, 1, 2].map(async (k) => {
          const path = roomPath(roomId, `/send/m.room.message/c${i}-${k}`);
          // Every third request is sent twice at once: a retransmission racing the original.
          const tries = await Promise.all((k === 0 ? [0, 1] : [0]).map(() => api('PUT', path, { token: s.accessToken, body: text(`${i}-${k}`) })));
          const ids = tries.map((t) => expectStatus(t, 200).event_id);
          expect(new Set(ids).size).toBe(1);
          return ids[0] as string;
        }),
      ),
    );
    expect(new Set(sent).size).toBe(48);
    const { chunk } = expectStatus(await messages(alice, roomId, 'dir=b&limit=100'), 200);
    const bodies = chunk.filter((e: any) => e.type === 'm.room.message').map((e: any) => e.event_id);
    expect(bodies).toHaveLength(48);
    expect(new Set(bodies)).toEqual(new Set(sent));
    const info = await (env.ROOMS.getByName(roomId) as unknown as { getRoomInfo(): Promise<any> }).getRoomInfo();
    expect(info.info.forwardExtremities).toHaveLength(1);
  });
});
