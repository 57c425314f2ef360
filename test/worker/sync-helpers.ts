// Helpers for the /sync tests (test/worker/sync*.test.ts and the ephemeral features'):
// a sync call that fails loudly, and readers for the sections of a response.
import { expect } from 'vitest';
import { api, type TestUser } from './helpers.js';
import { CS } from './rooms-helpers.js';

export interface SyncOptions {
  since?: string;
  timeout?: number;
  filter?: unknown;
  fullState?: boolean;
  setPresence?: string;
}

/**
 * Syncs without marking the user online unless `setPresence` says so: presence is tested on
 * its own, and its notices would otherwise wake the long-polls other tests wait on.
 */
export async function syncRaw(user: TestUser, opts: SyncOptions = {}) {
  const q = new URLSearchParams();
  q.set('set_presence', opts.setPresence ?? 'offline');
  if (opts.since !== undefined) q.set('since', opts.since);
  if (opts.timeout !== undefined) q.set('timeout', String(opts.timeout));
  if (opts.filter !== undefined) q.set('filter', typeof opts.filter === 'string' ? opts.filter : JSON.stringify(opts.filter));
  if (opts.fullState) q.set('full_state', 'true');
  return api('GET', `${CS}/sync?${q}`, { token: user.accessToken });
}

export async function sync(user: TestUser, opts: SyncOptions = {}): Promise<any> {
  const res = await syncRaw(user, opts);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

/** A sync client: keeps the token between calls. */
export class Syncer {
  token: string | undefined;
  constructor(
    readonly user: TestUser,
    readonly defaults: SyncOptions = {},
  ) {}

  async next(opts: SyncOptions = {}): Promise<any> {
    const body = await sync(this.user, { ...this.defaults, ...opts, ...(this.token !== undefined ? { since: this.token } : {}) });
    this.token = body.next_batch;
    return body;
  }
}

export const joined = (body: any, roomId: string) => body.rooms?.join?.[roomId];
export const timelineOf = (body: any, roomId: string): any[] => joined(body, roomId)?.timeline?.events ?? [];
export const stateOf = (body: any, roomId: string): any[] => joined(body, roomId)?.state?.events ?? [];
export const bodies = (events: any[]) => events.filter((e) => e.type === 'm.room.message').map((e) => e.content.body);
export const ephemeralOf = (body: any, roomId: string): any[] => joined(body, roomId)?.ephemeral?.events ?? [];
export const typingIn = (body: any, roomId: string): string[] | undefined =>
  ephemeralOf(body, roomId).find((e) => e.type === 'm.typing')?.content.user_ids;
export const receiptsIn = (body: any, roomId: string): any => ephemeralOf(body, roomId).find((e) => e.type === 'm.receipt')?.content;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
