import { describe, expect, it } from 'vitest';
import { decodeBase64, encodeBase64, encodeBase64Url } from '../../src/core/json/base64.js';

describe('unpadded base64', () => {
  it('round-trips every length 0..64 in both alphabets', () => {
    for (let n = 0; n <= 64; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff);
      expect(decodeBase64(encodeBase64(bytes))).toEqual(bytes);
      expect(decodeBase64(encodeBase64Url(bytes))).toEqual(bytes);
      expect(encodeBase64(bytes)).toBe(Buffer.from(bytes).toString('base64').replace(/=+$/, ''));
    }
  });
  it('rejects characters outside both alphabets', () => {
    expect(decodeBase64('ab$d')).toBeUndefined();
    expect(decodeBase64('a')).toBeUndefined();
  });
  it('accepts padded input, as the spec asks of decoders', () => {
    expect(decodeBase64('Zm8=')).toEqual(new TextEncoder().encode('fo'));
    expect(decodeBase64('Zg==')).toEqual(new TextEncoder().encode('f'));
  });
  it('uses - and _ in the URL-safe alphabet in place of + and /', () => {
    const bytes = new Uint8Array([0xfb, 0xff, 0xbf]);
    expect(encodeBase64(bytes)).toBe('+/+/');
    expect(encodeBase64Url(bytes)).toBe('-_-_');
  });
  it('rejects padding in the middle of the input', () => {
    expect(decodeBase64('Zg=v')).toBeUndefined();
  });
});
