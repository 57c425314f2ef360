// Helpers for the rooms HTTP tests (test/worker/rooms-*.test.ts): creating rooms, sending
// events and reading state through the real Worker, failing loudly on unexpected statuses.
import { expect } from 'vitest';
import { api, type TestUser } from './helpers.js';

export const CS = '/_matrix/client/v3';
export const enc = encodeURIComponent;
export const roomPath = (roomId: string, rest = '') => `${CS}/rooms/${enc(roomId)}${rest}`;

let txn = 0;
export const nextTxn = () => `t${++txn}.${Math.floor(Math.random() * 1e9)}`;

/** Expects a status (and errcode), returning the body. */
export function expectStatus(res: { status: number; body: any }, status: number, errcode?: string): any {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  if (errcode) expect(res.body.errcode).toBe(errcode);
  return res.body;
}

export async function createRoom(user: TestUser, body: Record<string, unknown> = {}): Promise<string> {
  const res = await api('POST', `${CS}/createRoom`, { token: user.accessToken, body });
  return expectStatus(res, 200).room_id;
}

export async function sendMessage(user: TestUser, roomId: string, body: string, type = 'm.room.message'): Promise<string> {
  const res = await api('PUT', roomPath(roomId, `/send/${enc(type)}/${nextTxn()}`), {
    token: user.accessToken,
    body: { msgtype: 'm.text', body },
  });
  return expectStatus(res, 200).event_id;
}

export async function putState(user: TestUser, roomId: string, type: string, stateKey: string, content: unknown) {
  return api('PUT', roomPath(roomId, `/state/${enc(type)}/${enc(stateKey)}`), { token: user.accessToken, body: content });
}

export async function getState(user: TestUser, roomId: string, type: string, stateKey = '') {
  return api('GET', roomPath(roomId, `/state/${enc(type)}/${enc(stateKey)}`), { token: user.accessToken });
}

export async function join(user: TestUser, roomIdOrAlias: string) {
  return api('POST', `${CS}/join/${enc(roomIdOrAlias)}`, { token: user.accessToken, body: {} });
}

export async function membershipAction(actor: TestUser, roomId: string, action: string, body: Record<string, unknown> = {}) {
  return api('POST', roomPath(roomId, `/${action}`), { token: actor.accessToken, body });
}

export async function members(user: TestUser, roomId: string, query = '') {
  return api('GET', roomPath(roomId, `/members${query}`), { token: user.accessToken });
}

export async function messages(user: TestUser, roomId: string, query: string) {
  return api('GET', roomPath(roomId, `/messages?${query}`), { token: user.accessToken });
}
