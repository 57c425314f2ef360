// Filters (client-server "Filtering", filter.yaml): upload and download. Guests may use
// them too: /sync, which guests may call, takes a filter.
import { Hono } from 'hono';
import { notFound } from '../../core/errors.js';
import { filterSchema, getFilter, uploadFilter } from '../../services/filters.js';
import { assertSelf, requireAccessToken } from '../auth.js';
import { jsonBody } from '../body.js';
import type { AppEnv } from '../context.js';

export const filterRoutes = new Hono<AppEnv>()
  // POST /_matrix/client/v3/user/{userId}/filter
  .post('/_matrix/client/v3/user/:userId/filter', requireAccessToken, async (c) => {
    const userId = c.req.param('userId');
    assertSelf(c, userId, 'the filters');
    const filter = await jsonBody(c, filterSchema);
    return c.json({ filter_id: await uploadFilter(c.env.DB, userId, filter) });
  })
  // GET /_matrix/client/v3/user/{userId}/filter/{filterId}
  .get('/_matrix/client/v3/user/:userId/filter/:filterId', requireAccessToken, async (c) => {
    const userId = c.req.param('userId');
    assertSelf(c, userId, 'the filters');
    const filter = await getFilter(c.env.DB, userId, c.req.param('filterId'));
    if (!filter) throw notFound('Unknown filter');
    return c.json(filter);
  });
