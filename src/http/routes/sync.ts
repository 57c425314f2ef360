// Syncing (sync.yaml) and send-to-device (to_device.yaml). The deprecated /events and
// /initialSync are not served: they fall through to 404 M_UNRECOGNIZED.
import { Hono, type MiddlewareHandler } from 'hono';
import * as z from 'zod';
import { MatrixError, invalidParam } from '../../core/errors.js';
import { resolveFilterParam, type Filter } from '../../services/filters.js';
import { sync } from '../../services/sync/index.js';
import { accountDataChanged } from '../../services/sync/notify.js';
import { sendToDevice } from '../../services/sync/to-device.js';
import { requireAccessToken } from '../auth.js';
import { jsonBody } from '../body.js';
import type { AppEnv } from '../context.js';
import { CS, queryEnum, queryInt } from './rooms-params.js';

/** The longest a /sync waits, whatever `timeout` asks. */
const MAX_TIMEOUT_MS = 120_000;
const PRESENCE = ['online', 'offline', 'unavailable'] as const;
const BOOLEAN = ['true', 'false'] as const;

const toDeviceBody = z.looseObject({
  messages: z.record(z.string(), z.record(z.string(), z.looseObject({}))),
});

/**
 * For routes that write account data (account-data.ts, push-rules.ts): after a successful
 * write, the user's User object is told, so a waiting /sync returns it.
 */
export const notifyAccountData: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  if (c.res.status === 200 && c.var.auth) await accountDataChanged(c.env, c.var.auth.userId);
};

export const syncRoutes = new Hono<AppEnv>()
  // GET /_matrix/client/v3/sync
  .get(`${CS}/sync`, requireAccessToken, async (c) => {
    let filter: Filter | undefined;
    const filterParam = c.req.query('filter');
    if (filterParam !== undefined && filterParam !== '') {
      const resolved = await resolveFilterParam(c.env.DB, c.var.auth.userId, filterParam);
      if (!resolved.ok) throw invalidParam(resolved.message);
      filter = resolved.filter;
    }
    const config = c.var.config;
    const outcome = await sync(
      {
        env: c.env,
        serverName: config.serverName,
        presenceEnabled: config.presenceEnabled,
        waitUntil: (p) => c.executionCtx.waitUntil(p),
      },
      c.var.auth,
      {
        since: c.req.query('since') || undefined,
        timeoutMs: queryInt(c, 'timeout', 0, MAX_TIMEOUT_MS) ?? 0,
        fullState: queryEnum(c, 'full_state', BOOLEAN) === 'true',
        setPresence: queryEnum(c, 'set_presence', PRESENCE) ?? 'online',
        ...(filter ? { filter } : {}),
      },
    );
    if (!outcome.ok) throw new MatrixError(outcome.status, outcome.errcode, outcome.error);
    return c.json(outcome.value);
  })
  // PUT /_matrix/client/v3/sendToDevice/{eventType}/{txnId}
  .put(`${CS}/sendToDevice/:eventType/:txnId`, requireAccessToken, async (c) => {
    const body = await jsonBody(c, toDeviceBody);
    const config = c.var.config;
    await sendToDevice(c.env, config.serverName, c.var.auth, c.req.param('eventType'), c.req.param('txnId'), body.messages);
    return c.json({});
  });
