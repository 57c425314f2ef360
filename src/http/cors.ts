// CORS for browser clients (client-server API "Web Browser Clients"): the same headers on
// every response, errors included, and a side-effect-free answer to OPTIONS preflights.
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './context.js';

const CORS_HEADERS: Record<string, string> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, POST, PUT, DELETE, OPTIONS',
  'Access-Control-Allow-Headers': 'X-Requested-With, Content-Type, Authorization',
};

export function withCorsHeaders(res: Response): Response {
  // Responses from fetch()/R2 can have immutable headers; copy once if needed.
  try {
    for (const [k, v] of Object.entries(CORS_HEADERS)) res.headers.set(k, v);
    return res;
  } catch {
    const copy = new Response(res.body, res);
    for (const [k, v] of Object.entries(CORS_HEADERS)) copy.headers.set(k, v);
    return copy;
  }
}

export const cors: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.req.method === 'OPTIONS') {
    return withCorsHeaders(new Response(null, { status: 204 }));
  }
  await next();
  // Assigning c.res copies every header onto the new response: only do it for a copy.
  const res = withCorsHeaders(c.res);
  if (res !== c.res) c.res = res;
};
