// Canonical JSON (appendix "Canonical JSON"): keys sorted by Unicode code point, no
// insignificant whitespace, UTF-8, shortest escapes, and only integers in
// [-(2^53)+1, 2^53-1]. Floats and out-of-range integers are refused, not rounded.
// Room versions 1-5 predate that rule ("Servers MUST NOT strictly enforce the JSON format"
// there), so their events are hashed with `{ strictNumbers: false }`, which writes big
// integers with all their digits and floats as JavaScript does (as Python does for ordinary
// floats). Exact agreement with other servers is impossible anyway once JSON.parse has
// rounded an integer beyond 2^53.

export const MAX_SAFE_INT = Number.MAX_SAFE_INTEGER; // 2^53 - 1
export const MIN_SAFE_INT = -Number.MAX_SAFE_INTEGER; // -(2^53) + 1

export class CanonicalJsonError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(`${message} at ${path || '<root>'}`);
    this.name = 'CanonicalJsonError';
  }
}

/** Compares two strings by Unicode code point (JS `<` compares UTF-16 code units). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.codePointAt(i)!;
    const cb = b.codePointAt(i)!;
    if (ca !== cb) return ca - cb;
    if (ca > 0xffff) i++;
  }
  return a.length - b.length;
}

// JSON.stringify already emits the spec's escapes: \" \\ \b \f \n \r \t, \u00XX for other
// controls, and everything else (lone surrogates as \uDXXX) as is.
function encodeString(s: string): string {
  return JSON.stringify(s);
}

export interface CanonicalJsonOptions {
  /** Refuse floats and integers outside [-(2^53)+1, 2^53-1] (the default; room v6+). */
  readonly strictNumbers?: boolean;
}

function encodeNumber(value: number, path: string, strict: boolean): string {
  if (Number.isInteger(value) && value <= MAX_SAFE_INT && value >= MIN_SAFE_INT) {
    return Object.is(value, -0) ? '0' : String(value);
  }
  if (!strict && Number.isFinite(value)) return Number.isInteger(value) ? BigInt(value).toString() : String(value);
  if (!Number.isInteger(value)) throw new CanonicalJsonError('non-integer number', path);
  throw new CanonicalJsonError('integer out of range', path);
}

function encode(value: unknown, path: string, strict: boolean): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return encodeString(value);
    case 'number':
      return encodeNumber(value, path, strict);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v, i) => encode(v, `${path}[${i}]`, strict)).join(',')}]`;
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj)
        .filter((k) => obj[k] !== undefined)
        .sort(compareCodePoints);
      return `{${keys.map((k) => `${encodeString(k)}:${encode(obj[k], path ? `${path}.${k}` : k, strict)}`).join(',')}}`;
    }
    default:
      throw new CanonicalJsonError(`cannot encode ${typeof value}`, path);
  }
}

/** Encodes a JSON value as canonical JSON text. Throws CanonicalJsonError on values the spec forbids. */
export function canonicalJson(value: unknown, options: CanonicalJsonOptions = {}): string {
  return encode(value, '', options.strictNumbers ?? true);
}

const utf8 = new TextEncoder();

/** Canonical JSON as UTF-8 bytes, the input to every hash and signature. */
export function canonicalJsonBytes(value: unknown, options: CanonicalJsonOptions = {}): Uint8Array {
  return utf8.encode(canonicalJson(value, options));
}
