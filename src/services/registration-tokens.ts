// Registration tokens, administered through an API shaped like Synapse's
// (/_synapse/admin/v1/registration_tokens).
import { MatrixError, notFound } from '../core/errors.js';
import * as uiaDb from '../db/uia.js';
import { randomString } from '../platform/random.js';

export interface RegistrationTokenView {
  token: string;
  uses_allowed: number | null;
  pending: number;
  completed: number;
  expiry_time: number | null;
}

const TOKEN_RE = /^[A-Za-z0-9._~-]{1,64}$/;
const TOKEN_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~-';

const view = (r: uiaDb.RegistrationTokenRow): RegistrationTokenView => ({
  token: r.token,
  uses_allowed: r.uses_allowed,
  pending: r.pending,
  completed: r.completed,
  expiry_time: r.expiry_time,
});

export async function listTokens(db: D1Database, valid: boolean | undefined, now: number) {
  return { registration_tokens: (await uiaDb.listRegistrationTokens(db, valid, now)).map(view) };
}

export async function getToken(db: D1Database, token: string): Promise<RegistrationTokenView> {
  const row = await uiaDb.findRegistrationToken(db, token);
  if (!row) throw notFound(`No such registration token: ${token}`);
  return view(row);
}

export async function createToken(
  db: D1Database,
  req: { token?: string | undefined; uses_allowed?: number | null | undefined; expiry_time?: number | null | undefined; length?: number | undefined },
  now: number,
): Promise<RegistrationTokenView> {
  if (req.token !== undefined && !TOKEN_RE.test(req.token)) {
    throw new MatrixError(400, 'M_INVALID_PARAM', 'token must be 1-64 characters from [A-Za-z0-9._~-]');
  }
  if (req.expiry_time != null && req.expiry_time < now) {
    throw new MatrixError(400, 'M_INVALID_PARAM', 'expiry_time must not be in the past');
  }
  const explicit = req.token !== undefined;
  for (let attempt = 0; attempt < (explicit ? 1 : 3); attempt++) {
    const token = req.token ?? randomString(req.length ?? 16, TOKEN_ALPHABET);
    const inserted = await uiaDb.insertRegistrationToken(db, {
      token,
      usesAllowed: req.uses_allowed ?? null,
      expiryTime: req.expiry_time ?? null,
    });
    if (inserted) return getToken(db, token);
  }
  throw new MatrixError(400, 'M_INVALID_PARAM', explicit ? `Token already exists: ${req.token}` : 'Could not generate a unique token');
}

export async function updateToken(
  db: D1Database,
  token: string,
  changes: { uses_allowed?: number | null | undefined; expiry_time?: number | null | undefined },
): Promise<RegistrationTokenView> {
  const row = await uiaDb.updateRegistrationToken(db, token, {
    ...(changes.uses_allowed !== undefined ? { usesAllowed: changes.uses_allowed } : {}),
    ...(changes.expiry_time !== undefined ? { expiryTime: changes.expiry_time } : {}),
  });
  if (!row) throw notFound(`No such registration token: ${token}`);
  return view(row);
}

export async function deleteToken(db: D1Database, token: string): Promise<void> {
  if (!(await uiaDb.deleteRegistrationToken(db, token))) throw notFound(`No such registration token: ${token}`);
}
