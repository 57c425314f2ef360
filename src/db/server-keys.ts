// D1 access for the server's own signing keys (migrations/0001_server_keys.sql).

export interface ServerKeyRow {
  key_id: string;
  seed: string;
  public_key: string;
  created_ts: number;
  expired_ts: number | null;
  is_current: number | null;
}

export async function currentServerKey(db: D1Database): Promise<ServerKeyRow | null> {
  return db.prepare('SELECT * FROM server_signing_keys WHERE is_current = 1').first<ServerKeyRow>();
}

/** Inserts a candidate current key unless one exists; the row that wins is returned by currentServerKey. */
export async function insertServerKeyIfNone(
  db: D1Database,
  key: { keyId: string; seed: string; publicKey: string; createdTs: number },
): Promise<void> {
  await db
    .prepare(
      `INSERT INTO server_signing_keys (key_id, seed, public_key, created_ts, is_current)
       VALUES (?1, ?2, ?3, ?4, 1) ON CONFLICT DO NOTHING`,
    )
    .bind(key.keyId, key.seed, key.publicKey, key.createdTs)
    .run();
}

export async function oldServerKeys(db: D1Database): Promise<ServerKeyRow[]> {
  const { results } = await db
    .prepare('SELECT * FROM server_signing_keys WHERE is_current IS NULL ORDER BY created_ts')
    .all<ServerKeyRow>();
  return results;
}
