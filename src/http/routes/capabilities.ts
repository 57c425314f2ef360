// Server capabilities (capabilities.yaml), TURN credentials for VoIP (voip.yaml), and the
// OAuth 2.0 metadata endpoint, which answers that OAuth is not supported.
import { Hono } from 'hono';
import { MatrixError } from '../../core/errors.js';
import { capabilitiesFor } from '../../services/capabilities.js';
import { turnCredentials } from '../../services/turn.js';
import { requireAccessToken } from '../auth.js';
import type { AppEnv } from '../context.js';

export const capabilityRoutes = new Hono<AppEnv>()
  // GET /_matrix/client/v3/capabilities
  .get('/_matrix/client/v3/capabilities', requireAccessToken, (c) =>
    c.json({ capabilities: capabilitiesFor(c.var.auth.isGuest) }),
  )
  // GET /_matrix/client/v3/voip/turnServer
  .get('/_matrix/client/v3/voip/turnServer', requireAccessToken, async (c) => {
    const { turn } = c.var.config;
    // No TURN server configured: an empty object, as Synapse answers, so clients fall back
    // to their own (or no) relay instead of treating it as an error.
    if (!turn) return c.json({});
    return c.json(await turnCredentials(turn, c.var.auth.userId, Date.now()));
  })
  // GET /_matrix/client/v1/auth_metadata
  .get('/_matrix/client/v1/auth_metadata', () => {
    // "With `M_UNRECOGNIZED`: the homeserver does not support the OAuth 2.0 API."
    throw new MatrixError(404, 'M_UNRECOGNIZED', 'This server does not support OAuth 2.0 authentication');
  });
