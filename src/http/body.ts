// Reading request bodies: a hard size cap while streaming (413 M_TOO_LARGE), JSON that does
// not parse (400 M_NOT_JSON), and schema validation that names the bad field (400 M_BAD_JSON).
import type { Context } from 'hono';
import type * as z from 'zod';
import { MatrixError, badJson, notJson, tooLarge } from '../core/errors.js';
import { bodyTooDeep } from '../services/json-input.js';
import { readCapped } from '../services/read-capped.js';
import type { AppEnv } from './context.js';

/** Reads the raw body, refusing it as soon as it passes `limit` bytes. */
export async function readBodyCapped(req: Request, limit: number): Promise<Uint8Array> {
  const declared = req.headers.get('Content-Length');
  if (declared !== null && Number(declared) > limit) throw tooLarge(`Request body exceeds ${limit} bytes`);
  if (!req.body) return new Uint8Array(0);
  // A declared length within the limit bounds the body already (HTTP framing ends it there).
  if (declared !== null && /^\d+$/.test(declared)) {
    const bytes = new Uint8Array(await req.arrayBuffer());
    if (bytes.byteLength > limit) throw tooLarge(`Request body exceeds ${limit} bytes`);
    return bytes;
  }
  const bytes = await readCapped(req.body, limit);
  if (!bytes) throw tooLarge(`Request body exceeds ${limit} bytes`);
  return bytes;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join('.');
  return path ? `Invalid field '${path}': ${issue.message}` : `Invalid body: ${issue.message}`;
}

/** Validates any value against a schema, throwing M_BAD_JSON that names the first bad field. */
export function validate<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw badJson(describeIssue(result.error.issues[0]!));
  return result.data;
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Parses the request body as a JSON object and validates it. An empty body counts as `{}`
 * only when `allowEmpty` is set (endpoints whose body is optional, like /logout).
 */
export async function jsonBody<S extends z.ZodType>(
  c: Context<AppEnv>,
  schema: S,
  opts: { allowEmpty?: boolean } = {},
): Promise<z.output<S>> {
  const bytes = await readBodyCapped(c.req.raw, c.var.config.maxRequestBytes);
  let value: unknown;
  if (bytes.byteLength === 0 && opts.allowEmpty) value = {};
  else {
    try {
      value = JSON.parse(decoder.decode(bytes));
    } catch {
      throw notJson('Content not JSON.');
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MatrixError(400, 'M_BAD_JSON', 'Content must be a JSON object.');
  }
  const tooDeep = bodyTooDeep(value);
  if (tooDeep) throw badJson(tooDeep);
  return validate(schema, value);
}
