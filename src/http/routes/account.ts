// Account management (client-server "Account management"): password, deactivation, 3PIDs.
import { Hono } from 'hono';
import * as z from 'zod';
import { MatrixError } from '../../core/errors.js';
import { changePassword, deactivateAccount } from '../../services/account.js';
import { authDictSchema } from '../../services/uia.js';
import { requireAccessToken } from '../auth.js';
import { jsonBody } from '../body.js';
import type { AppEnv } from '../context.js';

const noIdentityServer = () =>
  new MatrixError(400, 'M_THREEPID_MEDIUM_NOT_SUPPORTED', 'This server does not support third-party identifiers');

export const accountRoutes = new Hono<AppEnv>()
  // POST /_matrix/client/v3/account/password
  .post('/_matrix/client/v3/account/password', requireAccessToken, async (c) => {
    const body = await jsonBody(
      c,
      z.object({ new_password: z.string(), logout_devices: z.boolean().optional(), auth: authDictSchema.optional() }),
    );
    await changePassword(c.env.DB, c.var.config, c.var.auth, body, Date.now());
    return c.json({});
  })
  // POST /_matrix/client/v3/account/deactivate
  .post('/_matrix/client/v3/account/deactivate', requireAccessToken, async (c) => {
    const body = await jsonBody(
      c,
      z.object({ auth: authDictSchema.optional(), id_server: z.string().optional(), erase: z.boolean().optional() }),
    );
    await deactivateAccount(c.env.DB, c.var.config, c.var.auth, body.auth, Date.now());
    return c.json({ id_server_unbind_result: 'no-support' });
  })
  // GET /_matrix/client/v3/account/3pid
  .get('/_matrix/client/v3/account/3pid', requireAccessToken, (c) => c.json({ threepids: [] }))
  // POST /_matrix/client/v3/account/3pid/add and /bind
  .post('/_matrix/client/v3/account/3pid/:action{add|bind}', requireAccessToken, () => {
    throw noIdentityServer();
  })
  // POST /_matrix/client/v3/account/3pid/{email,msisdn}/requestToken
  .post('/_matrix/client/v3/account/3pid/:medium{email|msisdn}/requestToken', () => {
    throw noIdentityServer();
  })
  // POST /_matrix/client/v3/account/3pid/delete and /unbind: nothing is bound, so nothing to do.
  .post('/_matrix/client/v3/account/3pid/:action{delete|unbind}', requireAccessToken, (c) =>
    c.json({ id_server_unbind_result: 'no-support' }),
  )
  // POST /_matrix/client/v3/register/{email,msisdn}/requestToken
  .post('/_matrix/client/v3/register/:medium{email|msisdn}/requestToken', () => {
    throw noIdentityServer();
  })
  // POST /_matrix/client/v3/account/password/{email,msisdn}/requestToken
  .post('/_matrix/client/v3/account/password/:medium{email|msisdn}/requestToken', () => {
    throw noIdentityServer();
  });
