// D1 access for user profiles (migrations/0002_accounts.sql `profiles`): one row per field,
// the value stored as JSON text.

export interface ProfileFieldRow {
  field: string;
  value: string;
}

export async function listProfileFields(db: D1Database, userId: string): Promise<ProfileFieldRow[]> {
  const { results } = await db
    .prepare('SELECT field, value FROM profiles WHERE user_id = ?1 ORDER BY field')
    .bind(userId)
    .all<ProfileFieldRow>();
  return results;
}

export async function findProfileField(db: D1Database, userId: string, field: string): Promise<string | null> {
  const row = await db
    .prepare('SELECT value FROM profiles WHERE user_id = ?1 AND field = ?2')
    .bind(userId, field)
    .first<{ value: string }>();
  return row?.value ?? null;
}

/** Sets one field (a statement, so registration can batch it with the user's creation). */
export const upsertProfileField = (db: D1Database, userId: string, field: string, valueJson: string) =>
  db
    .prepare(
      `INSERT INTO profiles (user_id, field, value) VALUES (?1, ?2, ?3)
       ON CONFLICT (user_id, field) DO UPDATE SET value = excluded.value`,
    )
    .bind(userId, field, valueJson);

export const deleteProfileField = (db: D1Database, userId: string, field: string) =>
  db.prepare('DELETE FROM profiles WHERE user_id = ?1 AND field = ?2').bind(userId, field);

/** The display name a new account starts with. */
export const insertInitialDisplayName = (db: D1Database, userId: string, displayName: string) =>
  db
    .prepare(`INSERT INTO profiles (user_id, field, value) VALUES (?1, 'displayname', ?2) ON CONFLICT DO NOTHING`)
    .bind(userId, JSON.stringify(displayName));

/** A deactivated account keeps no profile (Synapse erases display name and avatar too). */
export const deleteProfile = (db: D1Database, userId: string) =>
  db.prepare('DELETE FROM profiles WHERE user_id = ?1').bind(userId);
