// Canonical JSON (appendix "Canonical JSON"): keys sorted by Unicode code point, no
// insignificant whitespace, UTF-8, shortest escapes, and only integers in
// [-(2^53)+1, 2^53-1]. Floats and out-of-range integers are refused, not rounded.

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

function encode(value: unknown, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return encodeString(value);
    case 'number':
      if (!Number.isInteger(value)) throw new CanonicalJsonError('non-integer number', path);
      if (value > MAX_SAFE_INT || value < MIN_SAFE_INT) throw new CanonicalJsonError('integer out of range', path);
      return Object.is(value, -0) ? '0' : String(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v, i) => encode(v, `${path}[${i}]`)).join(',')}]`;
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj)
        .filter((k) => obj[k] !== undefined)
        .sort(compareCodePoints);
      return `{${keys.map((k) => `${encodeString(k)}:${encode(obj[k], path ? `${path}.${k}` : k)}`).join(',')}}`;
    }
    default:
      throw new CanonicalJsonError(`cannot encode ${typeof value}`, path);
  }
}

/** Encodes a JSON value as canonical JSON text. Throws CanonicalJsonError on values the spec forbids. */
export function canonicalJson(value: unknown): string {
  return encode(value, '');
}

const utf8 = new TextEncoder();

/** Canonical JSON as UTF-8 bytes, the input to every hash and signature. */
export function canonicalJsonBytes(value: unknown): Uint8Array {
  return utf8.encode(canonicalJson(value));
}
