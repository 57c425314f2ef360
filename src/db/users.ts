// D1 access for users and devices.

export interface UserRow {
  user_id: string;
  localpart: string;
  password_hash: string | null;
  is_admin: number;
  is_guest: number;
  deactivated: number;
  user_type: string | null;
  created_ts: number;
}

export interface DeviceRow {
  user_id: string;
  device_id: string;
  display_name: string | null;
  last_seen_ts: number | null;
  last_seen_ip: string | null;
  created_ts: number;
}

export const findUser = (db: D1Database, userId: string) =>
  db.prepare('SELECT * FROM users WHERE user_id = ?1').bind(userId).first<UserRow>();

export const findUserByLocalpart = (db: D1Database, localpart: string) =>
  db.prepare('SELECT * FROM users WHERE localpart = ?1').bind(localpart).first<UserRow>();

/** Inserts a user unless the localpart is taken; returns false if it was. */
export async function insertUser(
  db: D1Database,
  u: { userId: string; localpart: string; passwordHash: string | null; isAdmin: boolean; userType: string | null; now: number },
): Promise<boolean> {
  const res = await db
    .prepare(
      `INSERT INTO users (user_id, localpart, password_hash, is_admin, user_type, created_ts)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING`,
    )
    .bind(u.userId, u.localpart, u.passwordHash, u.isAdmin ? 1 : 0, u.userType, u.now)
    .run();
  return res.meta.changes === 1;
}

export const setPasswordHash = (db: D1Database, userId: string, hash: string | null) =>
  db.prepare('UPDATE users SET password_hash = ?2 WHERE user_id = ?1').bind(userId, hash);

export const markDeactivated = (db: D1Database, userId: string) =>
  db.prepare('UPDATE users SET deactivated = 1, password_hash = NULL WHERE user_id = ?1').bind(userId);

export const listDevices = async (db: D1Database, userId: string) =>
  (await db.prepare('SELECT * FROM devices WHERE user_id = ?1 ORDER BY created_ts').bind(userId).all<DeviceRow>()).results;

export const findDevice = (db: D1Database, userId: string, deviceId: string) =>
  db.prepare('SELECT * FROM devices WHERE user_id = ?1 AND device_id = ?2').bind(userId, deviceId).first<DeviceRow>();

/** Creates the device, or keeps an existing one (updating its name only if a new one is given). */
export const upsertDevice = (
  db: D1Database,
  d: { userId: string; deviceId: string; displayName: string | null; now: number; ip: string | null },
) =>
  db
    .prepare(
      `INSERT INTO devices (user_id, device_id, display_name, created_ts, last_seen_ts, last_seen_ip)
       VALUES (?1, ?2, ?3, ?4, ?4, ?5)
       ON CONFLICT (user_id, device_id) DO UPDATE SET
         display_name = COALESCE(excluded.display_name, devices.display_name),
         last_seen_ts = excluded.last_seen_ts, last_seen_ip = excluded.last_seen_ip`,
    )
    .bind(d.userId, d.deviceId, d.displayName, d.now, d.ip);

export const renameDevice = (db: D1Database, userId: string, deviceId: string, name: string | null) =>
  db.prepare('UPDATE devices SET display_name = ?3 WHERE user_id = ?1 AND device_id = ?2').bind(userId, deviceId, name);

export const deleteDevice = (db: D1Database, userId: string, deviceId: string) =>
  db.prepare('DELETE FROM devices WHERE user_id = ?1 AND device_id = ?2').bind(userId, deviceId);

export const deleteAllDevices = (db: D1Database, userId: string) =>
  db.prepare('DELETE FROM devices WHERE user_id = ?1').bind(userId);
