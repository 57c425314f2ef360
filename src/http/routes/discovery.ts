// Discovery: spec versions, .well-known delegation and the federation server version.
import { Hono } from 'hono';
import type { AppEnv } from '../context.js';

/**
 * The client-server spec versions whose required behaviour Cirrus implements. v1.11+ makes
 * clients use authenticated media; grow this list only with the features each version needs.
 */
export const SPEC_VERSIONS = ['v1.1', 'v1.2', 'v1.3', 'v1.4', 'v1.5', 'v1.6', 'v1.7', 'v1.8', 'v1.9', 'v1.10', 'v1.11'];

export const UNSTABLE_FEATURES: Record<string, boolean> = {};

export const SERVER_SOFTWARE = { name: 'Cirrus', version: '0.1.0' };

export const discoveryRoutes = new Hono<AppEnv>()
  // GET /_matrix/client/versions
  .get('/_matrix/client/versions', (c) => c.json({ versions: SPEC_VERSIONS, unstable_features: UNSTABLE_FEATURES }))
  // GET /.well-known/matrix/client
  .get('/.well-known/matrix/client', (c) =>
    c.json({ 'm.homeserver': { base_url: c.var.config.publicBaseUrl } }),
  )
  // GET /.well-known/matrix/server
  .get('/.well-known/matrix/server', (c) => {
    const { federationDelegate, publicBaseUrl } = c.var.config;
    // With no explicit delegate, point at the host (and port) the Worker is reached on.
    const url = new URL(publicBaseUrl);
    const fallback = `${url.hostname}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
    return c.json({ 'm.server': federationDelegate ?? fallback });
  })
  // GET /_matrix/federation/v1/version
  .get('/_matrix/federation/v1/version', (c) => c.json({ server: SERVER_SOFTWARE }));
