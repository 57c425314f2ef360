// Remembering which member events lazy loading sent to a device (the User object's
// redundancy cache), after the response is built; a lost record only means a redundant
// member event later.
import type { SyncRoomData } from '../../../durable-objects/room/sync-api.js';
import { userStub } from './stubs.js';
import type { SyncRequest } from './types.js';

export function recordLazyMembers(req: SyncRequest, position: number, data: ReadonlyMap<string, SyncRoomData>): void {
  if (!req.view.lazyLoadMembers || req.view.includeRedundantMembers) return;
  const rooms: Record<string, Record<string, string>> = {};
  for (const [roomId, d] of data) if (d.lazyMembers && Object.keys(d.lazyMembers).length > 0) rooms[roomId] = d.lazyMembers;
  if (Object.keys(rooms).length === 0) return;
  const { env } = req.deps;
  req.deps.waitUntil(
    userStub(env, req.requester.userId)
      .recordLazyMembers({ deviceId: req.requester.deviceId, position, rooms })
      .catch((e: unknown) => console.error('sync: recording lazy members failed', e)),
  );
}
