// Registration (client-server "Account registration"), with per-IP rate limits.
import { Hono } from 'hono';
import * as z from 'zod';
import { MatrixError } from '../../core/errors.js';
import { clientIp, enforceRateLimit } from '../../services/rate-limit.js';
import {
  checkUsernameAvailable,
  register,
  registrationTokenValidity,
} from '../../services/registration.js';
import { authDictSchema } from '../../services/uia.js';
import { jsonBody } from '../body.js';
import type { AppEnv } from '../context.js';

const registerBody = z.object({
  username: z.string().optional(),
  password: z.string().optional(),
  device_id: z.string().min(1).max(255).optional(),
  initial_device_display_name: z.string().max(1024).optional(),
  inhibit_login: z.boolean().optional(),
  refresh_token: z.boolean().optional(),
  auth: authDictSchema.optional(),
});

export const registerRoutes = new Hono<AppEnv>()
  // POST /_matrix/client/v3/register
  .post('/_matrix/client/v3/register', async (c) => {
    const kind = c.req.query('kind') ?? 'user';
    if (kind !== 'user' && kind !== 'guest') throw new MatrixError(400, 'M_INVALID_PARAM', 'kind must be user or guest');
    const body = await jsonBody(c, registerBody);
    // Only requests that may create an account count against the limit, not UIA challenges.
    if (body.auth !== undefined) {
      await enforceRateLimit(c.env, 'register', clientIp(c.req.raw), c.var.config.rateLimits.register);
    }
    const res = await register(c.env.DB, c.var.config, { kind, ...body }, {
      now: Date.now(),
      ip: c.req.header('CF-Connecting-IP') ?? null,
    });
    return c.json(res);
  })
  // GET /_matrix/client/v3/register/available
  .get('/_matrix/client/v3/register/available', async (c) => {
    await enforceRateLimit(c.env, 'register', clientIp(c.req.raw), c.var.config.rateLimits.register);
    const username = c.req.query('username');
    if (!username) throw new MatrixError(400, 'M_MISSING_PARAM', 'Missing username');
    await checkUsernameAvailable(c.env.DB, c.var.config, username.toLowerCase());
    return c.json({ available: true });
  })
  // GET /_matrix/client/v1/register/m.login.registration_token/validity
  .get('/_matrix/client/v1/register/m.login.registration_token/validity', async (c) => {
    await enforceRateLimit(c.env, 'register', clientIp(c.req.raw), c.var.config.rateLimits.register);
    const token = c.req.query('token');
    if (!token) throw new MatrixError(400, 'M_MISSING_PARAM', 'Missing token');
    return c.json(await registrationTokenValidity(c.env.DB, c.var.config, token, Date.now()));
  });
