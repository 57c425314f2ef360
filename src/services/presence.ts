// Presence (client-server "Presence"): PUT/GET /presence/{userId}/status, the `set_presence`
// of /sync, and publishing changes "to all users who share a room with the target user" (the
// membership index) through their User objects. Disabled entirely by PRESENCE_ENABLED=false.
import { applyPresenceUpdate, presenceContent, type PresenceContent, type PresenceState, type StoredPresence } from '../core/sync/presence.js';
import { serverNameOf } from '../core/ids/index.js';
import * as presenceDb from '../db/presence.js';
import { findUser } from '../db/users.js';
import { mapLimited, userStub } from './sync/stubs.js';

export interface PresenceDeps {
  env: Env;
  serverName: string;
  enabled: boolean;
  now?: () => number;
  waitUntil?: (p: Promise<unknown>) => void;
}

export type PresenceResult<T> = { ok: true; value: T } | { ok: false; status: 403 | 404; errcode: 'M_FORBIDDEN' | 'M_NOT_FOUND'; error: string };

const toStored = (r: presenceDb.PresenceRow): StoredPresence => ({
  state: r.state as PresenceState,
  statusMsg: r.status_msg,
  lastActiveTs: r.last_active_ts,
  lastSeenTs: r.last_seen_ts,
  serial: r.serial,
});

/** Recent sync-driven updates per user in this isolate, so most /syncs skip D1 entirely. */
const recentlySeen = new Map<string, { state: PresenceState; at: number }>();
const RECENT_MS = 30_000;

/** Applies a presence update; announces it to everyone sharing a room when it is visible. */
export async function updatePresence(
  deps: PresenceDeps,
  userId: string,
  update: { state: PresenceState; statusMsg?: string | null; active: boolean },
): Promise<void> {
  if (!deps.enabled) return;
  const now = (deps.now ?? Date.now)();
  const row = await presenceDb.findPresence(deps.env.DB, userId);
  const applied = applyPresenceUpdate(row ? toStored(row) : undefined, update, now);
  if (!applied) return;
  const n = applied.next;
  await presenceDb.upsertPresence(deps.env.DB, {
    user_id: userId,
    state: n.state,
    status_msg: n.statusMsg,
    last_active_ts: n.lastActiveTs,
    last_seen_ts: n.lastSeenTs,
    serial: n.serial,
  });
  if (applied.announce) {
    const announce = announceTo(deps, userId, n.serial);
    if (deps.waitUntil) deps.waitUntil(announce);
    else await announce;
  }
}

async function announceTo(deps: PresenceDeps, userId: string, serial: number): Promise<void> {
  const audience = (await presenceDb.listCoMembers(deps.env.DB, userId)).filter((u) => isLocal(u, deps.serverName));
  if (!audience.includes(userId)) audience.push(userId);
  await mapLimited(audience, 32, async (u) => {
    try {
      await userStub(deps.env, u).presenceChanged({ userId, serial });
    } catch (e) {
      console.error(`presence: notice to ${u} failed`, e);
    }
  });
}

function isLocal(userId: string, serverName: string): boolean {
  try {
    return serverNameOf(userId) === serverName;
  } catch {
    return false;
  }
}

/**
 * /sync's `set_presence`: "If this parameter is omitted then the client is automatically
 * marked as online when it uses this API. Otherwise if the parameter is set to "offline"
 * then the client is not marked as being online ... When set to "unavailable", the client is
 * marked as being idle."
 */
export async function presenceFromSync(deps: PresenceDeps, userId: string, setPresence: PresenceState): Promise<void> {
  if (!deps.enabled || setPresence === 'offline') return;
  const now = (deps.now ?? Date.now)();
  const seen = recentlySeen.get(userId);
  if (seen && seen.state === setPresence && now - seen.at < RECENT_MS) return;
  recentlySeen.set(userId, { state: setPresence, at: now });
  if (recentlySeen.size > 10_000) recentlySeen.clear();
  await updatePresence(deps, userId, { state: setPresence, active: setPresence === 'online' });
}

// PUT /_matrix/client/v3/presence/{userId}/status
export async function setPresenceStatus(deps: PresenceDeps, userId: string, state: PresenceState, statusMsg: string | undefined): Promise<void> {
  recentlySeen.delete(userId);
  await updatePresence(deps, userId, { state, statusMsg: statusMsg ?? null, active: state === 'online' });
}

// GET /_matrix/client/v3/presence/{userId}/status
export async function getPresenceStatus(deps: PresenceDeps, requester: string, userId: string): Promise<PresenceResult<PresenceContent>> {
  const notFound = { ok: false, status: 404, errcode: 'M_NOT_FOUND', error: 'No presence for this user' } as const;
  if (!isLocal(userId, deps.serverName)) return notFound;
  if (!(await findUser(deps.env.DB, userId))) return notFound;
  if (!deps.enabled) return { ok: true, value: { presence: 'offline' } };
  if (requester !== userId && !(await presenceDb.sharesRoom(deps.env.DB, requester, userId))) {
    return { ok: false, status: 403, errcode: 'M_FORBIDDEN', error: 'You are not allowed to see their presence' };
  }
  const row = await presenceDb.findPresence(deps.env.DB, userId);
  const now = (deps.now ?? Date.now)();
  return { ok: true, value: row ? presenceContent(toStored(row), now) : { presence: 'offline' } };
}

export interface PresenceEvent {
  type: 'm.presence';
  sender: string;
  content: PresenceContent;
}

/** /sync's presence section: the given users', or everyone's who shares a room (`all`). */
export async function presenceEvents(deps: PresenceDeps, userId: string, which: { users: readonly string[]; all: boolean }): Promise<PresenceEvent[]> {
  if (!deps.enabled) return [];
  const rows = which.all ? await presenceDb.presenceOfCoMembers(deps.env.DB, userId) : await presenceDb.presenceOf(deps.env.DB, which.users);
  const now = (deps.now ?? Date.now)();
  return rows.map((r) => ({ type: 'm.presence', sender: r.user_id, content: presenceContent(toStored(r), now) }));
}
