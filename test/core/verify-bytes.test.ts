// verifyBytes: ed25519 over raw bytes with Base64 key and signature (third-party invites).
import { describe, expect, it } from 'vitest';
import { publicKeyFromSeed, signBytes, verifyBytes } from '../../src/core/crypto/signing.js';
import { encodeBase64, encodeBase64Url } from '../../src/core/json/base64.js';

describe('verifyBytes', () => {
  const seed = new Uint8Array(32).fill(1);
  const message = new TextEncoder().encode('{"mxid":"@a:b","token":"t"}');
  const key = encodeBase64(publicKeyFromSeed(seed));
  const signature = signBytes(message, seed);

  it('accepts a valid signature in standard or URL-safe Base64, padded or not', () => {
    expect(verifyBytes(message, signature, key)).toBe(true);
    expect(verifyBytes(message, `${signature}==`, encodeBase64Url(publicKeyFromSeed(seed)))).toBe(true);
  });

  it('refuses another message, another key and malformed input without throwing', () => {
    expect(verifyBytes(new TextEncoder().encode('other'), signature, key)).toBe(false);
    expect(verifyBytes(message, signature, encodeBase64(publicKeyFromSeed(new Uint8Array(32).fill(2))))).toBe(false);
    expect(verifyBytes(message, 'not base64!', key)).toBe(false);
    expect(verifyBytes(message, signature, 'AAAA')).toBe(false);
  });
});
