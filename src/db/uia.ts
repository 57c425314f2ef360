// D1 access for user-interactive auth sessions and registration tokens.

export interface UiaSessionRow {
  session_id: string;
  kind: string;
  user_id: string | null;
  completed: string;
  registration_token: string | null;
  created_ts: number;
}

export interface RegistrationTokenRow {
  token: string;
  uses_allowed: number | null;
  pending: number;
  completed: number;
  expiry_time: number | null;
}

export const findUiaSession = (db: D1Database, id: string) =>
  db.prepare('SELECT * FROM uia_sessions WHERE session_id = ?1').bind(id).first<UiaSessionRow>();

export async function insertUiaSession(
  db: D1Database,
  s: { id: string; kind: string; userId: string | null; now: number; expireBefore: number },
): Promise<void> {
  await db.batch([
    db.prepare('DELETE FROM uia_sessions WHERE created_ts < ?1').bind(s.expireBefore),
    db
      .prepare('INSERT INTO uia_sessions (session_id, kind, user_id, created_ts) VALUES (?1, ?2, ?3, ?4)')
      .bind(s.id, s.kind, s.userId, s.now),
  ]);
}

export const setUiaCompleted = (db: D1Database, id: string, completed: string[]) =>
  db.prepare('UPDATE uia_sessions SET completed = ?2 WHERE session_id = ?1').bind(id, JSON.stringify(completed)).run();

export const deleteUiaSession = (db: D1Database, id: string) =>
  db.prepare('DELETE FROM uia_sessions WHERE session_id = ?1').bind(id);

export const findRegistrationToken = (db: D1Database, token: string) =>
  db.prepare('SELECT * FROM registration_tokens WHERE token = ?1').bind(token).first<RegistrationTokenRow>();

/**
 * Reserves one use of a token for a UIA session: the session is claimed first (so one session
 * reserves at most once), then the token only if it is unexpired and has uses left counting
 * pending ones. Returns false, releasing the claim, if the token cannot be used.
 */
export async function reserveRegistrationToken(db: D1Database, token: string, sessionId: string, now: number) {
  const claim = await db
    .prepare('UPDATE uia_sessions SET registration_token = ?1 WHERE session_id = ?2 AND registration_token IS NULL')
    .bind(token, sessionId)
    .run();
  if (claim.meta.changes !== 1) return false;
  const reserve = await db
    .prepare(
      `UPDATE registration_tokens SET pending = pending + 1
       WHERE token = ?1 AND (expiry_time IS NULL OR expiry_time > ?2)
         AND (uses_allowed IS NULL OR pending + completed < uses_allowed)`,
    )
    .bind(token, now)
    .run();
  if (reserve.meta.changes === 1) return true;
  await db.prepare('UPDATE uia_sessions SET registration_token = NULL WHERE session_id = ?1').bind(sessionId).run();
  return false;
}

/** A registration finished: its reserved token use moves from pending to completed. */
export const completeRegistrationToken = (db: D1Database, token: string) =>
  db
    .prepare('UPDATE registration_tokens SET pending = MAX(pending - 1, 0), completed = completed + 1 WHERE token = ?1')
    .bind(token);

export async function listRegistrationTokens(db: D1Database, valid: boolean | undefined, now: number) {
  const where =
    valid === undefined
      ? ''
      : valid
        ? 'WHERE (expiry_time IS NULL OR expiry_time > ?1) AND (uses_allowed IS NULL OR pending + completed < uses_allowed)'
        : 'WHERE NOT ((expiry_time IS NULL OR expiry_time > ?1) AND (uses_allowed IS NULL OR pending + completed < uses_allowed))';
  const stmt = db.prepare(`SELECT * FROM registration_tokens ${where} ORDER BY token`);
  return (await (valid === undefined ? stmt : stmt.bind(now)).all<RegistrationTokenRow>()).results;
}

export async function insertRegistrationToken(
  db: D1Database,
  t: { token: string; usesAllowed: number | null; expiryTime: number | null },
): Promise<boolean> {
  const res = await db
    .prepare('INSERT INTO registration_tokens (token, uses_allowed, expiry_time) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING')
    .bind(t.token, t.usesAllowed, t.expiryTime)
    .run();
  return res.meta.changes === 1;
}

export async function updateRegistrationToken(
  db: D1Database,
  token: string,
  changes: { usesAllowed?: number | null; expiryTime?: number | null },
): Promise<RegistrationTokenRow | null> {
  const sets: string[] = [];
  const args: unknown[] = [token];
  if (changes.usesAllowed !== undefined) {
    args.push(changes.usesAllowed);
    sets.push(`uses_allowed = ?${args.length}`);
  }
  if (changes.expiryTime !== undefined) {
    args.push(changes.expiryTime);
    sets.push(`expiry_time = ?${args.length}`);
  }
  if (sets.length > 0) {
    await db.prepare(`UPDATE registration_tokens SET ${sets.join(', ')} WHERE token = ?1`).bind(...args).run();
  }
  return findRegistrationToken(db, token);
}

export async function deleteRegistrationToken(db: D1Database, token: string): Promise<boolean> {
  const res = await db.prepare('DELETE FROM registration_tokens WHERE token = ?1').bind(token).run();
  return res.meta.changes === 1;
}
