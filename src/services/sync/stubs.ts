// The Durable Object stubs the sync services call, typed from their RPC interfaces.
import type { RoomRpc } from '../../../durable-objects/room/api.js';
import type { UserStub } from '../../../durable-objects/user/api.js';

export const userStub = (env: Env, userId: string): UserStub => env.USERS.getByName(userId) as unknown as UserStub;

export type RoomStub = { [K in keyof RoomRpc]: (...args: Parameters<RoomRpc[K]>) => Promise<Awaited<ReturnType<RoomRpc[K]>>> };

export const roomStub = (env: Env, roomId: string): RoomStub => env.ROOMS.getByName(roomId) as unknown as RoomStub;

/** Runs `fn` over the items with at most `limit` in flight, keeping the results in order. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
