// Signing JSON (appendix "Signing JSON", "Signing Details", "Checking for a Signature"):
// ed25519 over the canonical JSON of the object without `signatures` and `unsigned`; the
// signature, in unpadded Base64, goes under `signatures[entity][keyId]`, beside any others.
import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { canonicalJsonBytes, type CanonicalJsonOptions } from '../json/canonical.js';
import { decodeBase64, encodeBase64 } from '../json/base64.js';
import { isJsonObject } from '../json/object.js';

// The synchronous API of @noble/ed25519 needs a synchronous SHA-512.
ed.hashes.sha512 = sha512;

export type Signatures = Record<string, Record<string, string>>;
export type Signed<T> = T & { signatures: Signatures };

/** "The currently supported value for *signing algorithm* is `ed25519`." */
export const ED25519 = 'ed25519';

/** The algorithm part of a signing key identifier (`ed25519:abc` → `ed25519`). */
export function keyAlgorithm(keyId: string): string {
  const colon = keyId.indexOf(':');
  return colon < 0 ? keyId : keyId.slice(0, colon);
}

function withoutSignaturesAndUnsigned(obj: object): Record<string, unknown> {
  const { signatures: _s, unsigned: _u, ...rest } = obj as Record<string, unknown>;
  return rest;
}

/**
 * The bytes a signature covers: "encoding the JSON object without `signatures` or keys
 * grouped as `unsigned`, using the canonical encoding". Lets an asynchronous signer
 * (WebCrypto) sign elsewhere and attach the result with `withSignature`.
 */
export function signingPayload(obj: object, options?: CanonicalJsonOptions): Uint8Array {
  return canonicalJsonBytes(withoutSignaturesAndUnsigned(obj), options);
}

/** A copy of `obj` with `signatureB64` added under `signatures[serverName][keyId]`, keeping existing signatures. */
export function withSignature<T extends object>(obj: T, serverName: string, keyId: string, signatureB64: string): Signed<T> {
  const existing = (obj as { signatures?: unknown }).signatures;
  // Built with Object.fromEntries so that a hostile `__proto__` entity stays a plain key.
  const entries = isJsonObject(existing)
    ? Object.entries(existing).filter((e): e is [string, Record<string, string>] => isJsonObject(e[1]))
    : [];
  const own = entries.find(([entity]) => entity === serverName)?.[1];
  const signatures: Signatures = Object.fromEntries([
    ...entries.filter(([entity]) => entity !== serverName).map(([entity, sigs]) => [entity, { ...sigs }]),
    [serverName, { ...own, [keyId]: signatureB64 }],
  ]);
  return { ...obj, signatures };
}

/** The ed25519 public key for a 32-byte seed (the form Matrix servers keep their signing keys in). */
export function publicKeyFromSeed(seed: Uint8Array): Uint8Array {
  return ed.getPublicKey(seed);
}

/** Signs raw bytes with a 32-byte ed25519 seed; returns the signature in unpadded Base64. */
export function signBytes(message: Uint8Array, seed: Uint8Array): string {
  return encodeBase64(ed.sign(message, seed));
}

/**
 * Checks an ed25519 signature over raw bytes, key and signature in (unpadded or padded,
 * standard or URL-safe) Base64. False for anything malformed; never throws.
 */
export function verifyBytes(message: Uint8Array, signatureB64: string, publicKeyB64: string): boolean {
  const signature = decodeBase64(signatureB64);
  const publicKey = decodeBase64(publicKeyB64);
  if (signature === undefined || signature.length !== 64 || publicKey === undefined || publicKey.length !== 32) return false;
  try {
    return ed.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

/** Signs `obj` as `serverName` with `keyId` (e.g. `ed25519:a_bcde`), returning a signed copy. */
export function signJson<T extends object>(
  obj: T,
  serverName: string,
  keyId: string,
  seed: Uint8Array,
  options?: CanonicalJsonOptions,
): Signed<T> {
  return withSignature(obj, serverName, keyId, signBytes(signingPayload(obj, options), seed));
}

/**
 * Checks one signature, following "Checking for a Signature": the entry for the entity and
 * key must exist, the algorithm must be ed25519, the Base64 must decode, and the signature
 * must verify over the canonical JSON without `signatures` and `unsigned`. Never throws.
 */
export function verifyJsonSignature(
  obj: object,
  serverName: string,
  keyId: string,
  publicKey: Uint8Array,
  options?: CanonicalJsonOptions,
): boolean {
  const signatures = (obj as { signatures?: unknown }).signatures;
  if (!isJsonObject(signatures) || !Object.hasOwn(signatures, serverName)) return false;
  const entry = signatures[serverName];
  if (!isJsonObject(entry)) return false;
  const b64 = Object.hasOwn(entry, keyId) ? entry[keyId] : undefined;
  if (typeof b64 !== 'string' || keyAlgorithm(keyId) !== ED25519) return false;
  const signature = decodeBase64(b64);
  if (signature === undefined || signature.length !== 64 || publicKey.length !== 32) return false;
  try {
    // RFC 8032 verification (not ZIP-215), closer to libsodium's, which Synapse uses.
    return ed.verify(signature, signingPayload(obj, options), publicKey, { zip215: false });
  } catch {
    return false;
  }
}
