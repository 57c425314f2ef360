// Account management: password change and deactivation (client-server "Account management").
// Both go through UIA with the account's password.
import type { Config } from '../config.js';
import { MatrixError } from '../core/errors.js';
import * as profilesDb from '../db/profiles.js';
import * as tokensDb from '../db/tokens.js';
import * as usersDb from '../db/users.js';
import { hashPassword } from './passwords.js';
import { deleteOtherDevices, type Requester } from './sessions.js';
import { finishUia, runUia, type AuthDict } from './uia.js';

const PASSWORD_FLOWS = [['m.login.password' as const]];

export function passwordUia(db: D1Database, config: Config, who: Requester, kind: string, auth: AuthDict | undefined, now: number) {
  return runUia({
    db,
    serverName: config.serverName,
    kind,
    flows: PASSWORD_FLOWS,
    userId: who.userId,
    auth,
    now,
    passwordHashIterations: config.passwordHashIterations,
  });
}

/** POST /account/password. */
export async function changePassword(
  db: D1Database,
  config: Config,
  who: Requester,
  req: { new_password: string; logout_devices?: boolean | undefined; auth?: AuthDict | undefined },
  now: number,
): Promise<void> {
  if (req.new_password.length > 512) throw new MatrixError(400, 'M_INVALID_PARAM', 'Password too long');
  const done = await passwordUia(db, config, who, 'password', req.auth, now);
  await usersDb.setPasswordHash(db, who.userId, await hashPassword(req.new_password, config.passwordHashIterations)).run();
  await finishUia(db, done);
  // "logout_devices: whether the user's other access tokens, and their associated devices,
  // should be revoked" (default true).
  if (req.logout_devices !== false) await deleteOtherDevices(db, who.userId, who.deviceId);
}

/** POST /account/deactivate: the account can never log in again and its name is never reused. */
export async function deactivateAccount(
  db: D1Database,
  config: Config,
  who: Requester,
  auth: AuthDict | undefined,
  now: number,
): Promise<void> {
  const done = await passwordUia(db, config, who, 'deactivate', auth, now);
  await db.batch([
    usersDb.markDeactivated(db, who.userId),
    ...tokensDb.deleteUserTokens(db, who.userId),
    usersDb.deleteAllDevices(db, who.userId),
    profilesDb.deleteProfile(db, who.userId),
  ]);
  await finishUia(db, done);
}
