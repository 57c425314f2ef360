// The Worker's HTTP application: CORS, config, body limits, the route groups, and the one
// error mapping. Each route declares its auth scheme (none, access token, admin, X-Matrix)
// as middleware on the route itself.
import { Hono } from 'hono';
import { configFor } from '../config.js';
import { tooLarge } from '../core/errors.js';
import type { AppEnv } from './context.js';
import { cors } from './cors.js';
import { notFoundOrWrongMethod, onError } from './errors.js';
import { accountRoutes } from './routes/account.js';
import { accountDataRoutes } from './routes/account-data.js';
import { capabilityRoutes } from './routes/capabilities.js';
import { deviceRoutes } from './routes/devices.js';
import { discoveryRoutes } from './routes/discovery.js';
import { filterRoutes } from './routes/filters.js';
import { keyRoutes } from './routes/keys.js';
import { loginRoutes } from './routes/login.js';
import { mediaRoutes } from './routes/media.js';
import { mediaAdminRoutes } from './routes/media-admin.js';
import { profileRoutes } from './routes/profile.js';
import { registerRoutes } from './routes/register.js';
import { roomCreateRoutes } from './routes/rooms-create.js';
import { roomDirectoryRoutes } from './routes/rooms-directory.js';
import { roomHistoryRoutes } from './routes/rooms-history.js';
import { roomMembershipRoutes } from './routes/rooms-membership.js';
import { roomStateRoutes } from './routes/rooms-state.js';
import { synapseAdminRoutes } from './routes/synapse-admin.js';
import { pushRuleRoutes } from './routes/push-rules.js';
import { presenceRoutes } from './routes/presence.js';
import { receiptTypingRoutes } from './routes/receipts-typing.js';
import { syncRoutes } from './routes/sync.js';
import { thirdPartyOnBindRoutes } from './routes/third-party-onbind.js';

export function createApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', cors);
  app.use('*', async (c, next) => {
    c.set('config', configFor(c.env));
    // Cheap early refusal of declared oversize bodies; streaming reads enforce it too.
    const declared = Number(c.req.header('Content-Length') ?? 0);
    if (declared > c.var.config.maxRequestBytes && !isUploadPath(c.req.path)) {
      throw tooLarge(`Request body exceeds ${c.var.config.maxRequestBytes} bytes`);
    }
    await next();
  });

  // Route groups (one line each; keep this list sorted by spec area).
  app.route('/', discoveryRoutes);
  app.route('/', keyRoutes);
  app.route('/', registerRoutes);
  app.route('/', loginRoutes);
  app.route('/', accountRoutes);
  app.route('/', deviceRoutes);
  app.route('/', capabilityRoutes);
  app.route('/', profileRoutes);
  app.route('/', accountDataRoutes);
  app.route('/', filterRoutes);
  app.route('/', mediaRoutes);
  app.route('/', synapseAdminRoutes);
  app.route('/', mediaAdminRoutes);
  app.route('/', pushRuleRoutes);
  app.route('/', roomCreateRoutes);
  app.route('/', roomStateRoutes);
  app.route('/', roomMembershipRoutes);
  app.route('/', roomHistoryRoutes);
  app.route('/', roomDirectoryRoutes);
  app.route('/', syncRoutes);
  app.route('/', receiptTypingRoutes);
  app.route('/', presenceRoutes);
  app.route('/', thirdPartyOnBindRoutes);

  app.notFound(notFoundOrWrongMethod(app));
  app.onError(onError);
  return app;
}

/** Media uploads have their own, larger limit. */
function isUploadPath(path: string): boolean {
  return path.startsWith('/_matrix/media/') && path.includes('/upload');
}
