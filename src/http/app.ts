// The Worker's HTTP application: CORS, config, body limits, the route groups, and the one
// error mapping. Each route group declares its own authentication scheme where it is mounted.
import { Hono } from 'hono';
import { configFor } from '../config.js';
import { tooLarge } from '../core/errors.js';
import type { AppEnv } from './context.js';
import { cors } from './cors.js';
import { notFoundOrWrongMethod, onError } from './errors.js';
import { discoveryRoutes } from './routes/discovery.js';
import { keyRoutes } from './routes/keys.js';

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

  app.route('/', discoveryRoutes);
  app.route('/', keyRoutes);

  app.notFound(notFoundOrWrongMethod(app));
  app.onError(onError);
  return app;
}

/** Media uploads have their own, larger limit. */
function isUploadPath(path: string): boolean {
  return path.startsWith('/_matrix/media/') && path.includes('/upload');
}
