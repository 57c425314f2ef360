import { describe, expect, it } from 'vitest';
import { CanonicalJsonError, canonicalJson, canonicalJsonBytes, compareCodePoints } from '../../src/core/json/canonical.js';
import { escapePropertyName, getByPropertyPath, splitPropertyPath } from '../../src/core/json/property-path.js';

describe('canonical JSON', () => {
  it('sorts keys by Unicode code point, not UTF-16 code unit', () => {
    // U+FF61 sorts after U+1F600 in UTF-16 (0xFF61 > 0xD83D) but before it by code point.
    const obj = { '\u{1F600}': 1, '\uFF61': 2, a: 3 };
    expect(canonicalJson(obj)).toBe('{"a":3,"\uFF61":2,"\u{1F600}":1}');
    expect(compareCodePoints('\uFF61', '\u{1F600}')).toBeLessThan(0);
    expect(compareCodePoints('ab', 'a')).toBeGreaterThan(0);
  });
  it('sorts nested objects and keeps array order', () => {
    expect(canonicalJson({ b: [3, 1, { d: 1, c: 2 }], a: {} })).toBe('{"a":{},"b":[3,1,{"c":2,"d":1}]}');
  });
  it('writes non-ASCII as UTF-8 and escapes only what the grammar requires', () => {
    expect(canonicalJson('é\u0000\u0008\t\n\u000b\f\r\u001f"\\/\u007f\u2028')).toBe(
      '"é\\u0000\\b\\t\\n\\u000b\\f\\r\\u001f\\"\\\\/\u007f\u2028"',
    );
    expect(canonicalJsonBytes({ a: 'é' })).toEqual(new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0xa9, 0x22, 0x7d]));
  });
  it('writes -0 as 0 and integers without exponents', () => {
    expect(canonicalJson([-0, 1e15, -(2 ** 53 - 1)])).toBe('[0,1000000000000000,-9007199254740991]');
  });
  it('refuses floats and integers outside [-(2^53)+1, 2^53-1]', () => {
    expect(() => canonicalJson({ a: 1.5 })).toThrow(CanonicalJsonError);
    expect(() => canonicalJson({ a: [2 ** 53] })).toThrow(/out of range at a\[0\]/);
    expect(() => canonicalJson(-(2 ** 53))).toThrow(CanonicalJsonError);
    expect(() => canonicalJson(Number.NaN)).toThrow(CanonicalJsonError);
  });
  it('writes floats as JavaScript does and big integers in full when numbers are not strict (room v1-5)', () => {
    expect(canonicalJson({ a: 1.5, b: 2 ** 60, c: -1e21, d: 1e-7 }, { strictNumbers: false })).toBe(
      '{"a":1.5,"b":1152921504606846976,"c":-1000000000000000000000,"d":1e-7}',
    );
    expect(() => canonicalJson(Number.POSITIVE_INFINITY, { strictNumbers: false })).toThrow(CanonicalJsonError);
  });
  it('leaves out undefined members and refuses values JSON cannot hold', () => {
    expect(canonicalJson({ a: undefined, b: null, c: true, d: false })).toBe('{"b":null,"c":true,"d":false}');
    expect(() => canonicalJson({ f: () => 1 })).toThrow(CanonicalJsonError);
    expect(() => canonicalJson({ n: 1n })).toThrow(CanonicalJsonError);
  });
  it('keeps a __proto__ key from parsed JSON as an ordinary key', () => {
    expect(canonicalJson(JSON.parse('{"__proto__":{"x":1},"a":2}'))).toBe('{"__proto__":{"x":1},"a":2}');
  });
});

describe('dot-separated property paths', () => {
  it('treats other backslash sequences as a literal backslash', () => {
    expect(splitPropertyPath('content.\\x')).toEqual(['content', '\\x']);
    expect(splitPropertyPath('a\\')).toEqual(['a\\']);
    expect(splitPropertyPath('')).toEqual(['']);
  });
  it('round-trips escaped names and reads values by path', () => {
    const path = ['content', 'm.relates_to', 'a\\b'].map(escapePropertyName).join('.');
    expect(path).toBe('content.m\\.relates_to.a\\\\b');
    expect(splitPropertyPath(path)).toEqual(['content', 'm.relates_to', 'a\\b']);
    const event = { content: { 'm.relates_to': { 'a\\b': 7 } } };
    expect(getByPropertyPath(event, path)).toBe(7);
    expect(getByPropertyPath(event, 'content.missing')).toBeUndefined();
    expect(getByPropertyPath({ a: [1] }, 'a.0')).toBeUndefined();
  });
});
