// GET /sync (client-server "Syncing"): an initial snapshot without `since`, a delta after it.
// The design (a User Durable Object per user holding the sync stream, rooms notifying it
// through their outbox, tokens as positions in that stream) is in the README ("Sync").
import { syncFilterView } from '../../core/sync/filter.js';
import { parseSyncToken } from '../../core/sync/token.js';
import { presenceFromSync } from '../presence.js';
import type { Requester } from '../sessions.js';
import { incrementalSync } from './incremental.js';
import { initialSync } from './initial.js';
import type { SyncDeps, SyncParams, SyncResponse } from './types.js';

export type { SyncDeps, SyncParams, SyncResponse } from './types.js';

export type SyncOutcome = { ok: true; value: SyncResponse } | { ok: false; status: 400; errcode: 'M_INVALID_PARAM'; error: string };

export async function sync(deps: SyncDeps, requester: Requester, params: SyncParams): Promise<SyncOutcome> {
  let since: number | undefined;
  if (params.since !== undefined) {
    since = parseSyncToken(params.since);
    if (since === undefined) return { ok: false, status: 400, errcode: 'M_INVALID_PARAM', error: 'since is not a sync token from this server' };
  }
  const presenceDeps = { env: deps.env, serverName: deps.serverName, enabled: deps.presenceEnabled, now: deps.now, waitUntil: deps.waitUntil };
  // Presence is recorded beside the sync, not before it: it never delays a response.
  deps.waitUntil(presenceFromSync(presenceDeps, requester.userId, params.setPresence).catch((e: unknown) => console.error('sync: presence', e)));
  const req = { deps, requester, params, view: syncFilterView(params.filter) };
  if (since === undefined) return { ok: true, value: await initialSync(req) };
  const r = await incrementalSync(req, since);
  return r.ok ? { ok: true, value: r.response } : { ok: false, status: 400, errcode: 'M_INVALID_PARAM', error: r.error };
}
