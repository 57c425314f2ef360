// An initial /sync (no `since`): every room the user is in, read from the rooms themselves.
// The rooms come from the membership index (D1) and from the user's stream. The positions read
// are then handed to the User object (`ingest`), which answers with the stream position that
// becomes `next_batch` and the positions it holds for each room at that point: a room that
// moved on in between (or one only the stream knew) is read again up to exactly that
// position, so the next incremental sync neither repeats nor skips anything. Asking the rooms
// to notify the user from now on (the lease) is the User object's job, after answering
// (durable-objects/user/catch-up.ts), so no write sits on this path.
import { filterEvents } from '../../core/sync/filter.js';
import { formatSyncToken } from '../../core/sync/token.js';
import { listForgotten, listMemberships } from '../../db/sync.js';
import { presenceEvents } from '../presence.js';
import { accountDataSection, e2eeFields } from './account-data.js';
import { emptyResponse, placeRoom, readRooms, type RoomRead } from './rooms.js';
import { recordLazyMembers } from './lazy.js';
import { userStub } from './stubs.js';
import type { SyncRequest, SyncResponse } from './types.js';

const ACTIVE = new Set(['join', 'invite', 'knock']);

export async function initialSync(req: SyncRequest): Promise<SyncResponse> {
  const { deps, requester, view } = req;
  const { env } = deps;
  const userId = requester.userId;
  const user = userStub(env, userId);
  const [index, known, forgotten] = await Promise.all([listMemberships(env.DB, userId), user.knownRooms(), listForgotten(env.DB, userId)]);

  const hint = new Map<string, string | null>(index.map((r) => [r.room_id, r.membership]));
  for (const [roomId, k] of Object.entries(known)) {
    if (!hint.has(roomId) || (k.membership !== null && ACTIVE.has(k.membership))) hint.set(roomId, k.membership);
  }
  const wanted = (roomId: string, membership: string | null | undefined) =>
    view.roomIncluded(roomId) &&
    membership !== null &&
    membership !== undefined &&
    (ACTIVE.has(membership) || (view.includeLeave && (membership === 'leave' || membership === 'ban') && !forgotten.has(roomId)));

  const reads: RoomRead[] = [...hint].filter(([id, m]) => wanted(id, m)).map(([roomId]) => ({ roomId, receipts: {}, typing: true }));
  // Account data does not depend on the rooms: read beside them, and its position handed over
  // with theirs (a later write is notified at a later position).
  const [data, firstAccountData] = await Promise.all([readRooms(req, reads), accountDataSection(req, undefined)]);
  let accountData = firstAccountData;
  const ingested = await user.ingest({
    userId,
    deviceId: requester.deviceId,
    accountData: firstAccountData.position,
    rooms: [...data].map(([roomId, d]) => ({ roomId, stream: d.stream, receiptStream: d.receiptStream, typingStream: d.typingStream, membership: d.membership })),
  });

  // Read again up to the stream's position what moved on meanwhile, or only the stream knew.
  const again: RoomRead[] = [];
  for (const [roomId, k] of Object.entries(ingested.rooms)) {
    const d = data.get(roomId);
    const bounds = { to: k.stream, receipts: { to: k.receiptStream }, typing: true };
    if (d) {
      if (k.stream > d.stream || k.receiptStream > d.receiptStream) again.push({ roomId, ...bounds });
    } else if (wanted(roomId, k.membership ?? hint.get(roomId))) {
      again.push({ roomId, ...bounds });
    }
  }
  if (again.length > 0) for (const [roomId, d] of await readRooms(req, again)) data.set(roomId, d);
  // Account data written meanwhile (and already notified): read again, all of it.
  if (ingested.accountData > accountData.position) accountData = await accountDataSection(req, undefined);

  // Presence after the position is fixed: anything notified up to it is already in D1.
  const presence = await presenceEvents({ env, serverName: deps.serverName, enabled: deps.presenceEnabled, now: deps.now }, userId, { users: [], all: true });
  const resp = emptyResponse(formatSyncToken(ingested.position));
  for (const [roomId, d] of data) {
    if (d.section.kind === 'leave' && (!view.includeLeave || forgotten.has(roomId))) continue;
    placeRoom(req, resp, roomId, d, accountData.rooms.get(roomId) ?? [], true);
  }
  resp.account_data.events = accountData.global;
  resp.presence.events = filterEvents(presence, view.presence);
  resp.to_device.events = ingested.toDevice;
  Object.assign(resp, e2eeFields());
  recordLazyMembers(req, ingested.position, data);
  return resp;
}
