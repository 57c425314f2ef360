// Server key publication (server-server API "Publishing Keys").
import { Hono } from 'hono';
import { ownServerKeys } from '../../services/server-keys.js';
import type { AppEnv } from '../context.js';

export const keyRoutes = new Hono<AppEnv>()
  // GET /_matrix/key/v2/server
  .get('/_matrix/key/v2/server', async (c) =>
    c.json(await ownServerKeys(c.env.DB, c.var.config.serverName, Date.now())),
  );
