// Synapse-compatible admin API: shared-secret registration and registration tokens, so that
// Synapse admin tools and scripts work unchanged.
import { Hono } from 'hono';
import * as z from 'zod';
import { MatrixError } from '../../core/errors.js';
import { clientIp, enforceRateLimit } from '../../services/rate-limit.js';
import { newRegistrationNonce, registerWithSharedSecret } from '../../services/registration.js';
import { createToken, deleteToken, getToken, listTokens, updateToken } from '../../services/registration-tokens.js';
import { requireAccessToken, requireAdmin } from '../auth.js';
import { jsonBody } from '../body.js';
import type { AppEnv } from '../context.js';

const BASE = '/_synapse/admin/v1';
const nonNegativeInt = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const synapseAdminRoutes = new Hono<AppEnv>()
  // GET /_synapse/admin/v1/register
  .get(`${BASE}/register`, async (c) => c.json(await newRegistrationNonce(c.env.DB, c.var.config, Date.now())))
  // POST /_synapse/admin/v1/register
  .post(`${BASE}/register`, async (c) => {
    await enforceRateLimit(c.env, 'register', clientIp(c.req.raw), c.var.config.rateLimits.register);
    const body = await jsonBody(
      c,
      z.object({
        nonce: z.string(),
        username: z.string(),
        password: z.string(),
        displayname: z.string().optional(),
        admin: z.boolean().optional(),
        user_type: z.string().nullable().optional(),
        mac: z.string(),
      }),
    );
    const res = await registerWithSharedSecret(c.env.DB, c.var.config, body, {
      now: Date.now(),
      ip: c.req.header('CF-Connecting-IP') ?? null,
    });
    return c.json(res);
  })
  // GET /_synapse/admin/v1/registration_tokens
  .get(`${BASE}/registration_tokens`, requireAccessToken, requireAdmin, async (c) => {
    const valid = c.req.query('valid');
    if (valid !== undefined && valid !== 'true' && valid !== 'false') {
      throw new MatrixError(400, 'M_INVALID_PARAM', 'valid must be true or false');
    }
    return c.json(await listTokens(c.env.DB, valid === undefined ? undefined : valid === 'true', Date.now()));
  })
  // POST /_synapse/admin/v1/registration_tokens/new
  .post(`${BASE}/registration_tokens/new`, requireAccessToken, requireAdmin, async (c) => {
    const body = await jsonBody(
      c,
      z.object({
        token: z.string().optional(),
        uses_allowed: nonNegativeInt.nullable().optional(),
        expiry_time: nonNegativeInt.nullable().optional(),
        length: z.number().int().min(1).max(64).optional(),
      }),
      { allowEmpty: true },
    );
    return c.json(await createToken(c.env.DB, body, Date.now()));
  })
  // GET /_synapse/admin/v1/registration_tokens/{token}
  .get(`${BASE}/registration_tokens/:token`, requireAccessToken, requireAdmin, async (c) =>
    c.json(await getToken(c.env.DB, c.req.param('token'))),
  )
  // PUT /_synapse/admin/v1/registration_tokens/{token}
  .put(`${BASE}/registration_tokens/:token`, requireAccessToken, requireAdmin, async (c) => {
    const body = await jsonBody(
      c,
      z.object({ uses_allowed: nonNegativeInt.nullable().optional(), expiry_time: nonNegativeInt.nullable().optional() }),
    );
    return c.json(await updateToken(c.env.DB, c.req.param('token'), body));
  })
  // DELETE /_synapse/admin/v1/registration_tokens/{token}
  .delete(`${BASE}/registration_tokens/:token`, requireAccessToken, requireAdmin, async (c) => {
    await deleteToken(c.env.DB, c.req.param('token'));
    return c.json({});
  });
