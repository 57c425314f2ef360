// Password login (client-server "Login"): identifier m.id.user (localpart or full user ID,
// case-insensitive) or the deprecated top-level `user`; device re-use; refresh tokens.
import type { Config } from '../config.js';
import { MatrixError, forbidden } from '../core/errors.js';
import * as usersDb from '../db/users.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { loginResponse, type SessionTokens } from './sessions.js';
import { resolveLocalUser } from './users.js';

export const LOGIN_FLOWS = [{ type: 'm.login.password' }];

export interface LoginRequest {
  type: string;
  identifier?: { type: string; user?: string | undefined; [k: string]: unknown } | undefined;
  user?: string | undefined;
  password?: string | undefined;
  device_id?: string | undefined;
  initial_device_display_name?: string | undefined;
  refresh_token?: boolean | undefined;
}

/** The local user ID a login names, before any password is checked (for per-user rate limits). */
export function loginTarget(req: LoginRequest, serverName: string): string | undefined {
  const who = req.identifier ? (req.identifier.type === 'm.id.user' ? req.identifier.user : undefined) : req.user;
  return who === undefined ? undefined : resolveLocalUser(who, serverName);
}

export async function login(
  db: D1Database,
  config: Config,
  req: LoginRequest,
  ctx: { now: number; ip: string | null },
): Promise<SessionTokens & { user_id: string; home_server: string }> {
  if (req.type !== 'm.login.password') throw new MatrixError(400, 'M_UNKNOWN', `Unknown login type ${req.type}`);
  if (req.identifier && req.identifier.type !== 'm.id.user') {
    throw new MatrixError(400, 'M_UNKNOWN', `Identifier type ${req.identifier.type} is not supported`);
  }
  const userId = loginTarget(req, config.serverName);
  if (!userId || req.password === undefined) throw forbidden('Invalid username or password');
  const user = await usersDb.findUser(db, userId);
  const check = await verifyPassword(req.password, user?.password_hash ?? null, config.passwordHashIterations);
  if (!user || !check.ok) {
    if (user?.deactivated) throw new MatrixError(403, 'M_USER_DEACTIVATED', 'This account has been deactivated');
    throw forbidden('Invalid username or password');
  }
  if (check.needsRehash) await usersDb.setPasswordHash(db, userId, await hashPassword(req.password, config.passwordHashIterations)).run();
  return loginResponse(db, config, ctx, userId, req);
}
