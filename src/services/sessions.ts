// Sessions: devices and their access/refresh tokens. Tokens carry 256 bits of randomness and
// are stored only as SHA-256 hashes; a refreshable access token expires and then answers
// M_UNKNOWN_TOKEN with soft_logout (client-server "Refreshing access tokens").
import * as tokensDb from '../db/tokens.js';
import * as usersDb from '../db/users.js';
import { randomDeviceId, randomToken, sha256Base64Url } from '../platform/random.js';

/** How often a device's last-seen time is written (not on every request). */
const LAST_SEEN_GRANULARITY_MS = 5 * 60 * 1000;

/** The authenticated caller of a client-server request. */
export interface Requester {
  userId: string;
  deviceId: string;
  isGuest: boolean;
  isAdmin: boolean;
  /** SHA-256 of the access token used; identifies the session (e.g. for txn IDs, logout). */
  tokenHash: string;
}

export type AuthOutcome =
  | { ok: true; requester: Requester }
  | { ok: false; reason: string; softLogout: boolean };

export const hashToken = (token: string) => sha256Base64Url(token);

export async function authenticateAccessToken(
  db: D1Database,
  token: string,
  opts: { now: number; ip: string | null; waitUntil(p: Promise<unknown>): void },
): Promise<AuthOutcome> {
  const tokenHash = await hashToken(token);
  const row = await tokensDb.findAccessToken(db, tokenHash);
  if (!row || row.deactivated) return { ok: false, reason: 'Unknown access token', softLogout: false };
  if (row.expires_ts !== null && row.expires_ts <= opts.now) {
    return { ok: false, reason: 'Access token has expired', softLogout: true };
  }
  if (row.last_seen_ts === null || opts.now - row.last_seen_ts > LAST_SEEN_GRANULARITY_MS) {
    opts.waitUntil(tokensDb.touchDevice(db, row.user_id, row.device_id, opts.now, opts.ip).run());
  }
  return {
    ok: true,
    requester: {
      userId: row.user_id,
      deviceId: row.device_id,
      isGuest: row.is_guest === 1,
      isAdmin: row.is_admin === 1,
      tokenHash,
    },
  };
}

export interface SessionTokens {
  access_token: string;
  device_id: string;
  refresh_token?: string;
  expires_in_ms?: number;
}

/** What /login and /register accept about the session they start. */
export interface SessionRequest {
  device_id?: string | undefined;
  initial_device_display_name?: string | undefined;
  refresh_token?: boolean | undefined;
}

/**
 * The answer /login and /register give: a session for `userId` started as the client asked
 * (device ID and name, refresh token or not).
 */
export async function loginResponse(
  db: D1Database,
  config: { serverName: string; accessTokenLifetimeMs: number },
  ctx: { now: number; ip: string | null },
  userId: string,
  req: SessionRequest,
): Promise<{ user_id: string; home_server: string } & SessionTokens> {
  const tokens = await startSession(db, {
    userId,
    deviceId: req.device_id,
    displayName: req.initial_device_display_name,
    refreshable: req.refresh_token === true,
    accessTokenLifetimeMs: config.accessTokenLifetimeMs,
    now: ctx.now,
    ip: ctx.ip,
  });
  return { user_id: userId, home_server: config.serverName, ...tokens };
}

/**
 * Creates (or re-uses) a device and issues its tokens. Re-using a device ID invalidates the
 * tokens it had, so one device is one session.
 */
export async function startSession(
  db: D1Database,
  opts: {
    userId: string;
    deviceId?: string | undefined;
    displayName?: string | undefined;
    refreshable: boolean;
    accessTokenLifetimeMs: number;
    now: number;
    ip: string | null;
  },
): Promise<SessionTokens> {
  const deviceId = opts.deviceId ?? randomDeviceId();
  const accessToken = `cat_${randomToken(32)}`;
  const refreshToken = opts.refreshable ? `crt_${randomToken(32)}` : undefined;
  const refreshHash = refreshToken ? await hashToken(refreshToken) : null;
  await db.batch([
    ...tokensDb.deleteDeviceTokens(db, opts.userId, deviceId),
    usersDb.upsertDevice(db, {
      userId: opts.userId,
      deviceId,
      displayName: opts.displayName ?? null,
      now: opts.now,
      ip: opts.ip,
    }),
    tokensDb.insertAccessToken(db, {
      tokenHash: await hashToken(accessToken),
      userId: opts.userId,
      deviceId,
      expiresTs: refreshToken ? opts.now + opts.accessTokenLifetimeMs : null,
      refreshTokenHash: refreshHash,
      now: opts.now,
    }),
    ...(refreshHash
      ? [tokensDb.insertRefreshToken(db, { tokenHash: refreshHash, userId: opts.userId, deviceId, now: opts.now })]
      : []),
  ]);
  return refreshToken
    ? { access_token: accessToken, device_id: deviceId, refresh_token: refreshToken, expires_in_ms: opts.accessTokenLifetimeMs }
    : { access_token: accessToken, device_id: deviceId };
}

/**
 * POST /refresh: exchanges a refresh token for a new access/refresh pair. The old refresh
 * token and the access tokens issued with it stop working.
 */
export async function refreshSession(
  db: D1Database,
  refreshToken: string,
  opts: { accessTokenLifetimeMs: number; now: number },
): Promise<{ access_token: string; refresh_token: string; expires_in_ms: number } | undefined> {
  const oldHash = await hashToken(refreshToken);
  const row = await tokensDb.findRefreshToken(db, oldHash);
  if (!row || row.deactivated) return undefined;
  const accessToken = `cat_${randomToken(32)}`;
  const newRefresh = `crt_${randomToken(32)}`;
  const newRefreshHash = await hashToken(newRefresh);
  const results = await db.batch([
    tokensDb.deleteRefreshToken(db, oldHash),
    tokensDb.deleteAccessTokensForRefresh(db, oldHash),
    tokensDb.insertRefreshToken(db, { tokenHash: newRefreshHash, userId: row.user_id, deviceId: row.device_id, now: opts.now }),
    tokensDb.insertAccessToken(db, {
      tokenHash: await hashToken(accessToken),
      userId: row.user_id,
      deviceId: row.device_id,
      expiresTs: opts.now + opts.accessTokenLifetimeMs,
      refreshTokenHash: newRefreshHash,
      now: opts.now,
    }),
  ]);
  // A concurrent refresh with the same token already consumed it: undo ours.
  if (results[0]!.meta.changes !== 1) {
    await db.batch([tokensDb.deleteRefreshToken(db, newRefreshHash), tokensDb.deleteAccessTokensForRefresh(db, newRefreshHash)]);
    return undefined;
  }
  return { access_token: accessToken, refresh_token: newRefresh, expires_in_ms: opts.accessTokenLifetimeMs };
}

/** Deletes devices with their tokens (and, as features arrive, their E2EE keys). */
export async function deleteDevices(db: D1Database, userId: string, deviceIds: string[]): Promise<void> {
  if (deviceIds.length === 0) return;
  await db.batch(
    deviceIds.flatMap((d) => [...tokensDb.deleteDeviceTokens(db, userId, d), usersDb.deleteDevice(db, userId, d)]),
  );
}

/** Deletes every device of a user except `keep` (password change with logout_devices). */
export async function deleteOtherDevices(db: D1Database, userId: string, keep: string | undefined): Promise<void> {
  const devices = await usersDb.listDevices(db, userId);
  await deleteDevices(
    db,
    userId,
    devices.map((d) => d.device_id).filter((d) => d !== keep),
  );
}
