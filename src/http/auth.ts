// Access-token authentication for client-server routes ("Using access tokens"): the
// `Authorization: Bearer` header, or the deprecated `access_token` query parameter that
// v1.19 still requires servers to accept.
import type { Context, MiddlewareHandler } from 'hono';
import { MatrixError, forbidden } from '../core/errors.js';
import { authenticateAccessToken } from '../services/sessions.js';
import type { AppEnv } from './context.js';

export function extractAccessToken(c: Context<AppEnv>): string | undefined {
  const header = c.req.header('Authorization');
  if (header !== undefined) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return m ? m[1] : undefined;
  }
  return c.req.query('access_token') || undefined;
}

/** Requires a valid access token and sets `c.var.auth`. */
export const requireAccessToken: MiddlewareHandler<AppEnv> = async (c, next) => {
  const token = extractAccessToken(c);
  if (!token) throw new MatrixError(401, 'M_MISSING_TOKEN', 'Missing access token');
  const outcome = await authenticateAccessToken(c.env.DB, token, {
    now: Date.now(),
    ip: c.req.header('CF-Connecting-IP') ?? null,
    waitUntil: (p) => c.executionCtx.waitUntil(p),
  });
  if (!outcome.ok) {
    throw new MatrixError(401, 'M_UNKNOWN_TOKEN', outcome.reason, { soft_logout: outcome.softLogout });
  }
  c.set('auth', outcome.requester);
  await next();
};

/** Requires the caller to be a server admin (after requireAccessToken). */
export const requireAdmin: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!c.var.auth.isAdmin) throw forbidden('You are not a server admin');
  await next();
};

/** Path user IDs must be the caller's own (account data, filters, ...). */
export function assertSelf(c: Context<AppEnv>, userId: string, what = 'this resource'): void {
  if (userId !== c.var.auth.userId) throw forbidden(`Cannot access ${what} of another user`);
}
