// Account registration: the configured policy (open, token-gated, closed), username rules,
// UIA, and Synapse-compatible shared-secret registration for admins.
import type { Config } from '../config.js';
import { MatrixError, forbidden } from '../core/errors.js';
import * as profilesDb from '../db/profiles.js';
import * as uiaDb from '../db/uia.js';
import * as usersDb from '../db/users.js';
import { randomString, randomToken } from '../platform/random.js';
import { hashPassword } from './passwords.js';
import { loginResponse, startSession, type SessionTokens } from './sessions.js';
import { finishUia, runUia, type AuthDict, type UiaStage } from './uia.js';
import { invalidLocalpartReason, userIdFor } from './users.js';

export interface RegisterRequest {
  kind: 'user' | 'guest';
  username?: string | undefined;
  password?: string | undefined;
  device_id?: string | undefined;
  initial_device_display_name?: string | undefined;
  inhibit_login?: boolean | undefined;
  refresh_token?: boolean | undefined;
  auth?: AuthDict | undefined;
}

export type RegisterResponse = { user_id: string; home_server: string } & Partial<SessionTokens>;

const MAX_PASSWORD_LENGTH = 512;

export function registrationFlows(config: Config): UiaStage[][] {
  return config.registration === 'token' ? [['m.login.registration_token']] : [['m.login.dummy']];
}

/** Why this localpart can't be registered: M_INVALID_USERNAME or M_USER_IN_USE. */
export async function checkUsernameAvailable(db: D1Database, config: Config, localpart: string): Promise<void> {
  const invalid = invalidLocalpartReason(localpart, config.serverName);
  if (invalid) throw new MatrixError(400, 'M_INVALID_USERNAME', invalid);
  if (await usersDb.findUserByLocalpart(db, localpart)) {
    throw new MatrixError(400, 'M_USER_IN_USE', 'User ID already taken.');
  }
}

/** Creates the account row (and its initial display name); M_USER_IN_USE if it raced. */
async function createAccount(
  db: D1Database,
  config: Config,
  a: { localpart: string; password?: string | undefined; isAdmin: boolean; userType: string | null; displayName?: string | undefined; now: number },
): Promise<string> {
  const userId = userIdFor(a.localpart, config.serverName);
  const created = await usersDb.insertUser(db, {
    userId,
    localpart: a.localpart,
    passwordHash: a.password === undefined ? null : await hashPassword(a.password, config.passwordHashIterations),
    isAdmin: a.isAdmin,
    userType: a.userType,
    now: a.now,
  });
  if (!created) throw new MatrixError(400, 'M_USER_IN_USE', 'User ID already taken.');
  await profilesDb.insertInitialDisplayName(db, userId, a.displayName ?? a.localpart).run();
  return userId;
}

/** POST /register. */
export async function register(
  db: D1Database,
  config: Config,
  req: RegisterRequest,
  ctx: { now: number; ip: string | null },
): Promise<RegisterResponse> {
  if (req.kind === 'guest') throw new MatrixError(403, 'M_GUEST_ACCESS_FORBIDDEN', 'Guest access is disabled');
  if (config.registration === 'closed') throw forbidden('Registration has been disabled');
  if (req.password !== undefined && req.password.length > MAX_PASSWORD_LENGTH) {
    throw new MatrixError(400, 'M_INVALID_PARAM', 'Password too long');
  }
  const requested = req.username?.toLowerCase();
  // Refuse a bad or taken name before asking for auth, as Synapse does.
  if (requested !== undefined) await checkUsernameAvailable(db, config, requested);

  const done = await runUia({
    db,
    serverName: config.serverName,
    kind: 'register',
    passwordHashIterations: config.passwordHashIterations,
    flows: registrationFlows(config),
    auth: req.auth,
    now: ctx.now,
  });

  const localpart = requested ?? (await freeRandomLocalpart(db, config));
  const userId = await createAccount(db, config, {
    localpart,
    password: req.password,
    isAdmin: false,
    userType: null,
    now: ctx.now,
  });
  await finishUia(db, done);
  if (req.inhibit_login) return { user_id: userId, home_server: config.serverName };
  return loginResponse(db, config, ctx, userId, req);
}

async function freeRandomLocalpart(db: D1Database, config: Config): Promise<string> {
  for (let i = 0; i < 5; i++) {
    const candidate = `u${randomString(11, 'abcdefghijklmnopqrstuvwxyz0123456789')}`;
    if (!(await usersDb.findUserByLocalpart(db, candidate))) return candidate;
  }
  throw new MatrixError(500, 'M_UNKNOWN', `Could not generate a free user ID on ${config.serverName}`);
}

/** GET /register/m.login.registration_token/validity. */
export async function registrationTokenValidity(db: D1Database, config: Config, token: string, now: number) {
  if (config.registration !== 'token') throw forbidden('Registration tokens are not used on this server');
  const row = await uiaDb.findRegistrationToken(db, token);
  const valid =
    !!row &&
    (row.expiry_time === null || row.expiry_time > now) &&
    (row.uses_allowed === null || row.pending + row.completed < row.uses_allowed);
  return { valid };
}

// ---- Shared-secret registration (Synapse admin API: /_synapse/admin/v1/register) ----

const NONCE_LIFETIME_MS = 60_000;

export async function newRegistrationNonce(db: D1Database, config: Config, now: number): Promise<{ nonce: string }> {
  if (!config.registrationSharedSecret) throw new MatrixError(400, 'M_UNKNOWN', 'Shared secret registration is not enabled');
  const nonce = randomToken(24);
  await db.batch([
    db.prepare('DELETE FROM registration_nonces WHERE created_ts < ?1').bind(now - NONCE_LIFETIME_MS),
    db.prepare('INSERT INTO registration_nonces (nonce, created_ts) VALUES (?1, ?2)').bind(nonce, now),
  ]);
  return { nonce };
}

async function hmacSha1Hex(secret: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-1' }, false, [
    'sign',
  ]);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(message)));
  return Array.from(mac, (b) => b.toString(16).padStart(2, '0')).join('');
}

export interface SharedSecretRegistration {
  nonce: string;
  username: string;
  password: string;
  displayname?: string | undefined;
  admin?: boolean | undefined;
  user_type?: string | null | undefined;
  mac: string;
}

/** POST /_synapse/admin/v1/register: nonce + HMAC-SHA1, exactly as Synapse documents it. */
export async function registerWithSharedSecret(
  db: D1Database,
  config: Config,
  req: SharedSecretRegistration,
  ctx: { now: number; ip: string | null },
) {
  const secret = config.registrationSharedSecret;
  if (!secret) throw new MatrixError(400, 'M_UNKNOWN', 'Shared secret registration is not enabled');
  const used = await db
    .prepare('DELETE FROM registration_nonces WHERE nonce = ?1 AND created_ts >= ?2')
    .bind(req.nonce, ctx.now - NONCE_LIFETIME_MS)
    .run();
  if (used.meta.changes !== 1) throw new MatrixError(400, 'M_UNKNOWN', 'unrecognised nonce');

  let message = `${req.nonce}\0${req.username}\0${req.password}\0${req.admin ? 'admin' : 'notadmin'}`;
  if (req.user_type) message += `\0${req.user_type}`;
  const expected = await hmacSha1Hex(secret, message);
  if (!timingSafeEqualText(expected, req.mac.toLowerCase())) throw forbidden('HMAC incorrect');

  const localpart = req.username.toLowerCase();
  await checkUsernameAvailable(db, config, localpart);
  const userId = await createAccount(db, config, {
    localpart,
    password: req.password,
    isAdmin: req.admin === true,
    userType: req.user_type ?? null,
    displayName: req.displayname,
    now: ctx.now,
  });
  const tokens = await startSession(db, {
    userId,
    refreshable: false,
    accessTokenLifetimeMs: config.accessTokenLifetimeMs,
    now: ctx.now,
    ip: ctx.ip,
  });
  return { user_id: userId, home_server: config.serverName, access_token: tokens.access_token, device_id: tokens.device_id };
}

function timingSafeEqualText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
