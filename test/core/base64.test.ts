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
});
