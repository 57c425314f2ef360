// Receipts, read markers and typing (client-server "Receipts", "Read and unread markers",
// "Typing Notifications"): stored and timed by the room object, which notifies the members'
// User objects; the fully-read marker is room account data (`m.fully_read`).
import type { RoomFailure } from '../../durable-objects/room/api.js';
import { isReceiptType } from '../core/sync/receipts.js';
import { setAccountData } from './account-data.js';
import { accountDataChanged } from './sync/notify.js';
import { roomStub } from './sync/stubs.js';
import type { Requester } from './sessions.js';

export type EphemeralResult = { ok: true } | { ok: false; status: number; errcode: RoomFailure['errcode'] | 'M_UNRECOGNIZED'; error: string };

const STATUS: Record<string, number> = { M_FORBIDDEN: 403, M_NOT_FOUND: 404, M_INVALID_PARAM: 400, M_BAD_JSON: 400 };
const fromRoom = (f: RoomFailure): EphemeralResult => ({ ok: false, status: STATUS[f.errcode] ?? 500, errcode: f.errcode, error: f.error });

async function receipt(env: Env, requester: Requester, roomId: string, type: 'm.read' | 'm.read.private', eventId: string, threadId?: string) {
  const r = await roomStub(env, roomId).setReceipt({ userId: requester.userId, receiptType: type, eventId, ...(threadId !== undefined ? { threadId } : {}) });
  return r.ok ? ({ ok: true } as const) : fromRoom(r);
}

/** m.fully_read: "The event MUST belong to the room" and the user must be able to see it. */
async function fullyRead(env: Env, requester: Requester, roomId: string, eventId: string): Promise<EphemeralResult> {
  const seen = await roomStub(env, roomId).getEvent({ eventId, asUser: requester.userId });
  if (!seen.ok) return fromRoom(seen);
  await setAccountData(env.DB, { userId: requester.userId, roomId, type: 'm.fully_read', content: { event_id: eventId } });
  await accountDataChanged(env, requester.userId);
  return { ok: true };
}

// POST /_matrix/client/v3/rooms/{roomId}/receipt/{receiptType}/{eventId}
export async function postReceipt(
  env: Env,
  requester: Requester,
  roomId: string,
  receiptType: string,
  eventId: string,
  threadId: unknown,
): Promise<EphemeralResult> {
  if (!isReceiptType(receiptType)) return { ok: false, status: 400, errcode: 'M_INVALID_PARAM', error: `Unknown receipt type ${receiptType}` };
  if (threadId !== undefined && (typeof threadId !== 'string' || threadId === '')) {
    return { ok: false, status: 400, errcode: 'M_INVALID_PARAM', error: 'thread_id field must be a non-empty string' };
  }
  // "this endpoint effectively calls /read_markers internally when presented with a receipt type of m.fully_read"
  if (receiptType === 'm.fully_read') {
    if (threadId !== undefined) return { ok: false, status: 400, errcode: 'M_INVALID_PARAM', error: 'thread_id is not allowed for m.fully_read' };
    return fullyRead(env, requester, roomId, eventId);
  }
  return receipt(env, requester, roomId, receiptType, eventId, threadId as string | undefined);
}

// POST /_matrix/client/v3/rooms/{roomId}/read_markers
export async function setReadMarkers(
  env: Env,
  requester: Requester,
  roomId: string,
  markers: { fullyRead?: string; read?: string; readPrivate?: string },
): Promise<EphemeralResult> {
  if (markers.fullyRead !== undefined) {
    const r = await fullyRead(env, requester, roomId, markers.fullyRead);
    if (!r.ok) return r;
  }
  if (markers.read !== undefined) {
    const r = await receipt(env, requester, roomId, 'm.read', markers.read);
    if (!r.ok) return r;
  }
  if (markers.readPrivate !== undefined) {
    const r = await receipt(env, requester, roomId, 'm.read.private', markers.readPrivate);
    if (!r.ok) return r;
  }
  return { ok: true };
}

// PUT /_matrix/client/v3/rooms/{roomId}/typing/{userId}
export async function setTyping(env: Env, requester: Requester, roomId: string, typing: boolean, timeoutMs: number | undefined): Promise<EphemeralResult> {
  const r = await roomStub(env, roomId).setTyping({ userId: requester.userId, typing, ...(timeoutMs !== undefined ? { timeoutMs } : {}) });
  return r.ok ? { ok: true } : fromRoom(r);
}
