// Login, token refresh, logout and whoami (client-server "Login", "Refreshing access tokens").
import { Hono } from 'hono';
import * as z from 'zod';
import { MatrixError } from '../../core/errors.js';
import { LOGIN_FLOWS, login, loginTarget } from '../../services/login.js';
import { clientIp, enforceRateLimit } from '../../services/rate-limit.js';
import { deleteDevices, refreshSession } from '../../services/sessions.js';
import { listDeviceIds } from '../../services/devices.js';
import { requireAccessToken } from '../auth.js';
import { jsonBody } from '../body.js';
import type { AppEnv } from '../context.js';

const loginBody = z.object({
  type: z.string(),
  identifier: z.object({ type: z.string(), user: z.string().optional() }).passthrough().optional(),
  user: z.string().optional(),
  password: z.string().optional(),
  token: z.string().optional(),
  device_id: z.string().min(1).max(255).optional(),
  initial_device_display_name: z.string().max(1024).optional(),
  refresh_token: z.boolean().optional(),
});

export const loginRoutes = new Hono<AppEnv>()
  // GET /_matrix/client/v3/login
  .get('/_matrix/client/v3/login', (c) => c.json({ flows: LOGIN_FLOWS }))
  // POST /_matrix/client/v3/login
  .post('/_matrix/client/v3/login', async (c) => {
    const body = await jsonBody(c, loginBody);
    const { config } = c.var;
    await enforceRateLimit(c.env, 'login-ip', clientIp(c.req.raw), config.rateLimits.login);
    const target = loginTarget(body, config.serverName);
    if (target) await enforceRateLimit(c.env, 'login-user', target, config.rateLimits.login);
    const res = await login(c.env.DB, config, body, { now: Date.now(), ip: c.req.header('CF-Connecting-IP') ?? null });
    return c.json(res);
  })
  // POST /_matrix/client/v3/refresh
  .post('/_matrix/client/v3/refresh', async (c) => {
    const body = await jsonBody(c, z.object({ refresh_token: z.string() }));
    const res = await refreshSession(c.env.DB, body.refresh_token, {
      accessTokenLifetimeMs: c.var.config.accessTokenLifetimeMs,
      now: Date.now(),
    });
    if (!res) throw new MatrixError(401, 'M_UNKNOWN_TOKEN', 'Unknown refresh token', { soft_logout: false });
    return c.json(res);
  })
  // POST /_matrix/client/v3/logout
  .post('/_matrix/client/v3/logout', requireAccessToken, async (c) => {
    const { userId, deviceId } = c.var.auth;
    await deleteDevices(c.env.DB, userId, [deviceId]);
    return c.json({});
  })
  // POST /_matrix/client/v3/logout/all
  .post('/_matrix/client/v3/logout/all', requireAccessToken, async (c) => {
    const { userId } = c.var.auth;
    await deleteDevices(c.env.DB, userId, await listDeviceIds(c.env.DB, userId));
    return c.json({});
  })
  // GET /_matrix/client/v3/account/whoami
  .get('/_matrix/client/v3/account/whoami', requireAccessToken, (c) => {
    const { userId, deviceId, isGuest } = c.var.auth;
    return c.json({ user_id: userId, device_id: deviceId, is_guest: isGuest });
  });
