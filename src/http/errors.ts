// The one mapping from failures to Matrix error bodies. Unknown paths are 404 M_UNRECOGNIZED,
// known paths with the wrong method 405 M_UNRECOGNIZED; nothing ever answers a bare 500 page.
import type { Context, Hono, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { MatrixError } from '../core/errors.js';
import { ConfigError } from '../config.js';
import type { AppEnv } from './context.js';
import { withCorsHeaders } from './cors.js';

export function matrixErrorResponse(err: MatrixError): Response {
  return withCorsHeaders(
    new Response(JSON.stringify(err.body()), {
      status: err.status,
      headers: { 'Content-Type': 'application/json' },
    }),
  );
}

export function onError(err: Error, c: Context<AppEnv>): Response {
  if (err instanceof MatrixError) return matrixErrorResponse(err);
  if (err instanceof ConfigError) {
    console.error(err.message);
    return matrixErrorResponse(new MatrixError(500, 'M_UNKNOWN', err.message));
  }
  if (err instanceof HTTPException) {
    const status = err.status;
    const code = status === 413 ? 'M_TOO_LARGE' : status === 404 ? 'M_NOT_FOUND' : 'M_UNKNOWN';
    return matrixErrorResponse(new MatrixError(status, code, err.message || 'Request failed'));
  }
  console.error(`Unhandled error on ${c.req.method} ${new URL(c.req.url).pathname}:`, err);
  return matrixErrorResponse(new MatrixError(500, 'M_UNKNOWN', 'Internal server error'));
}

/** Converts a Hono path pattern (`/rooms/:roomId/x`, `:p{regex}`, `*`) to an anchored RegExp. */
function patternToRegExp(path: string): RegExp {
  let re = '';
  for (let i = 0; i < path.length; ) {
    const ch = path[i]!;
    if (ch === ':') {
      const m = /^:[A-Za-z0-9_]+(\{((?:[^{}]|\{[^{}]*\})*)\})?/.exec(path.slice(i))!;
      re += m[2] !== undefined ? `(?:${m[2]})` : '[^/]+';
      i += m[0].length;
    } else if (ch === '*') {
      re += '.*';
      i++;
    } else {
      re += ch.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
      i++;
    }
  }
  return new RegExp(`^${re}/?$`);
}

/** 404 for unknown paths, 405 when another method is routed at the same path. */
export function notFoundOrWrongMethod(app: Hono<AppEnv>): NotFoundHandler<AppEnv> {
  let table: Array<{ re: RegExp; method: string }> | undefined;
  return (c) => {
    table ??= app.routes
      .filter((r) => r.method !== 'ALL')
      .map((r) => ({ re: patternToRegExp(r.path), method: r.method }));
    const path = new URL(c.req.url).pathname;
    const known = table.some((r) => r.method !== c.req.method && r.re.test(path));
    return known
      ? matrixErrorResponse(new MatrixError(405, 'M_UNRECOGNIZED', `Method ${c.req.method} not allowed here`))
      : matrixErrorResponse(new MatrixError(404, 'M_UNRECOGNIZED', 'Unrecognized request'));
  };
}
