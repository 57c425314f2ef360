// D1 access for access and refresh tokens (stored only as hashes).

export interface TokenOwner {
  user_id: string;
  device_id: string;
  expires_ts: number | null;
  is_guest: number;
  is_admin: number;
  deactivated: number;
  last_seen_ts: number | null;
}

export async function findAccessToken(db: D1Database, tokenHash: string): Promise<TokenOwner | null> {
  return db
    .prepare(
      `SELECT t.user_id, t.device_id, t.expires_ts, u.is_guest, u.is_admin, u.deactivated, d.last_seen_ts
       FROM access_tokens t
       JOIN users u ON u.user_id = t.user_id
       LEFT JOIN devices d ON d.user_id = t.user_id AND d.device_id = t.device_id
       WHERE t.token_hash = ?1`,
    )
    .bind(tokenHash)
    .first<TokenOwner>();
}

export function insertAccessToken(
  db: D1Database,
  t: { tokenHash: string; userId: string; deviceId: string; expiresTs: number | null; refreshTokenHash: string | null; now: number },
): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO access_tokens (token_hash, user_id, device_id, expires_ts, refresh_token_hash, created_ts)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6)`,
    )
    .bind(t.tokenHash, t.userId, t.deviceId, t.expiresTs, t.refreshTokenHash, t.now);
}

export function insertRefreshToken(
  db: D1Database,
  t: { tokenHash: string; userId: string; deviceId: string; now: number },
): D1PreparedStatement {
  return db
    .prepare('INSERT INTO refresh_tokens (token_hash, user_id, device_id, created_ts) VALUES (?1, ?2, ?3, ?4)')
    .bind(t.tokenHash, t.userId, t.deviceId, t.now);
}

export async function findRefreshToken(
  db: D1Database,
  tokenHash: string,
): Promise<{ user_id: string; device_id: string; deactivated: number } | null> {
  return db
    .prepare(
      `SELECT r.user_id, r.device_id, u.deactivated FROM refresh_tokens r JOIN users u ON u.user_id = r.user_id
       WHERE r.token_hash = ?1`,
    )
    .bind(tokenHash)
    .first();
}

export const deleteRefreshToken = (db: D1Database, tokenHash: string) =>
  db.prepare('DELETE FROM refresh_tokens WHERE token_hash = ?1').bind(tokenHash);

export const deleteAccessTokensForRefresh = (db: D1Database, refreshHash: string) =>
  db.prepare('DELETE FROM access_tokens WHERE refresh_token_hash = ?1').bind(refreshHash);

export const deleteAccessToken = (db: D1Database, tokenHash: string) =>
  db.prepare('DELETE FROM access_tokens WHERE token_hash = ?1').bind(tokenHash);

/** Every token of one device (logout, device deletion). */
export const deleteDeviceTokens = (db: D1Database, userId: string, deviceId: string) => [
  db.prepare('DELETE FROM access_tokens WHERE user_id = ?1 AND device_id = ?2').bind(userId, deviceId),
  db.prepare('DELETE FROM refresh_tokens WHERE user_id = ?1 AND device_id = ?2').bind(userId, deviceId),
];

/** Every token of a user (logout/all, deactivation). */
export const deleteUserTokens = (db: D1Database, userId: string) => [
  db.prepare('DELETE FROM access_tokens WHERE user_id = ?1').bind(userId),
  db.prepare('DELETE FROM refresh_tokens WHERE user_id = ?1').bind(userId),
];

export const touchDevice = (db: D1Database, userId: string, deviceId: string, now: number, ip: string | null) =>
  db
    .prepare('UPDATE devices SET last_seen_ts = ?3, last_seen_ip = ?4 WHERE user_id = ?1 AND device_id = ?2')
    .bind(userId, deviceId, now, ip);
