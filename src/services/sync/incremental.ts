// An incremental /sync (`since` = `s<position>`): the User object says what changed after the
// position (waiting up to `timeout` when nothing has), with each room's range of room
// stream positions; only those rooms are read, so the cost does not grow with the number of
// quiet rooms. A response that the filter leaves empty does not end a long-poll: it waits
// again from the new position until something shows or time runs out.
import type { SyncChanges } from '../../../durable-objects/user/api.js';
import { filterEvents } from '../../core/sync/filter.js';
import { formatSyncToken } from '../../core/sync/token.js';
import { membershipsIn } from '../../db/sync.js';
import { presenceEvents } from '../presence.js';
import { accountDataSection, e2eeFields } from './account-data.js';
import { recordLazyMembers } from './lazy.js';
import { emptyResponse, isEmptyResponse, placeAccountDataOnly, placeRoom, readRooms, type RoomRead } from './rooms.js';
import { userStub } from './stubs.js';
import type { SyncRequest, SyncResponse } from './types.js';

export type IncrementalOutcome = { ok: true; response: SyncResponse } | { ok: false; error: string };

export async function incrementalSync(req: SyncRequest, since: number): Promise<IncrementalOutcome> {
  const { deps, requester, params, view } = req;
  const now = deps.now ?? Date.now;
  // "full_state ... the timeout parameter will be ignored and the query will return immediately".
  const deadline = now() + (params.fullState ? 0 : params.timeoutMs);
  const user = userStub(deps.env, requester.userId);
  let position = since;
  for (;;) {
    const remaining = Math.max(0, deadline - now());
    const changes = await user.changes({
      userId: requester.userId,
      deviceId: requester.deviceId,
      since: position,
      clientSince: since,
      timeoutMs: remaining,
      lazyMembers: view.lazyLoadMembers && !view.includeRedundantMembers,
      allRooms: params.fullState,
    });
    if (!changes.ok) return { ok: false, error: changes.error };
    const response = await respond(req, changes);
    if (!isEmptyResponse(response) || deadline - now() <= 0) return { ok: true, response };
    position = changes.position;
  }
}

async function respond(req: SyncRequest, changes: SyncChanges): Promise<SyncResponse> {
  const { deps, requester, view, params } = req;
  const reads: RoomRead[] = [];
  for (const [roomId, c] of Object.entries(changes.rooms)) {
    if (!view.roomIncluded(roomId)) continue;
    // Ephemeral-only changes read no events: the range is empty at the position held.
    const range = c.events ?? (c.at !== undefined ? { from: c.at, to: c.at } : undefined);
    if (!range) continue;
    const read: RoomRead = { roomId, to: range.to, typing: c.typing !== undefined };
    if (range.from !== undefined) read.from = range.from;
    if (c.receipts) read.receipts = c.receipts;
    const known = changes.knownMembers?.[roomId];
    if (known) read.knownMembers = known;
    reads.push(read);
  }
  const env = deps.env;
  const [data, accountData, presence] = await Promise.all([
    readRooms(req, reads),
    changes.accountData ? accountDataSection(req, changes.accountData.from ?? 0) : undefined,
    changes.presence
      ? presenceEvents({ env, serverName: deps.serverName, enabled: deps.presenceEnabled, now: deps.now }, requester.userId, changes.presence)
      : [],
  ]);
  const resp = emptyResponse(formatSyncToken(changes.position));
  for (const [roomId, d] of data) placeRoom(req, resp, roomId, d, accountData?.rooms.get(roomId) ?? [], params.fullState);
  if (accountData) {
    resp.account_data.events = accountData.global;
    const others = [...accountData.rooms.keys()].filter((id) => !data.has(id) && view.roomIncluded(id));
    const memberships = await membershipsIn(env.DB, requester.userId, others);
    for (const roomId of others) {
      const events = filterEvents(accountData.rooms.get(roomId)!, view.roomAccountData, roomId);
      placeAccountDataOnly(resp, roomId, events, memberships.get(roomId) ?? 'none');
    }
  }
  resp.presence.events = filterEvents(presence, view.presence);
  resp.to_device.events = changes.toDevice;
  resp.device_lists.changed = changes.deviceLists ?? [];
  Object.assign(resp, e2eeFields());
  recordLazyMembers(req, changes.position, data);
  return resp;
}
