// Room pagination tokens. A /messages token names a position in topological order,
// `t<depth>-<stream>`: "just after the event (depth, stream)". Depth orders the DAG, the
// room's stream breaks ties, so tokens stay valid across restarts. State and member page
// cursors are opaque base64url JSON.
import { decodeBase64, encodeBase64Url } from '../../../src/core/json/base64.js';

export interface Position {
  depth: number;
  stream: number;
}

export const formatToken = (p: Position): string => `t${p.depth}-${p.stream}`;

export function parseToken(token: string): Position | undefined {
  const m = /^t(\d{1,16})-(\d{1,16})$/.exec(token);
  if (!m) return undefined;
  const depth = Number(m[1]);
  const stream = Number(m[2]);
  return Number.isSafeInteger(depth) && Number.isSafeInteger(stream) ? { depth, stream } : undefined;
}

/** The position just before the event: everything ordered before it. */
export const before = (p: Position): Position => ({ depth: p.depth, stream: p.stream - 1 });

export function encodeCursor(value: unknown): string {
  return encodeBase64Url(new TextEncoder().encode(JSON.stringify(value)));
}

export function decodeCursor<T>(cursor: string, check: (v: unknown) => v is T): T | undefined {
  const bytes = decodeBase64(cursor);
  if (!bytes) return undefined;
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return check(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export const isKeyPair = (v: unknown): v is [string, string] =>
  Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string';

export const isString = (v: unknown): v is string => typeof v === 'string';
