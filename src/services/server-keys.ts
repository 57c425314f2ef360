// The server's ed25519 signing key: created once on first need (concurrent first requests
// agree through a UNIQUE row in D1), never silently replaced, and published on
// /_matrix/key/v2/server signed by itself.
import { encodeBase64 } from '../core/json/base64.js';
import { signingPayload, withSignature, type Signed } from '../core/crypto/signing.js';
import * as keysDb from '../db/server-keys.js';
import type { Signer } from '../platform/signer.js';
import { serverSigner } from '../platform/server-signer.js';

// The key loading lives in the platform adapter so that Durable Objects share it.
export { serverSigner };

/** How long other servers may cache our keys. */
export const KEY_VALIDITY_MS = 7 * 24 * 60 * 60 * 1000;

/** Signs a JSON object as this server (appendix "Signing JSON"), keeping existing signatures. */
export async function signJsonAsServer<T extends object>(signer: Signer, serverName: string, obj: T): Promise<Signed<T>> {
  const signature = await signer.sign(signingPayload(obj));
  return withSignature(obj, serverName, signer.keyId, encodeBase64(signature));
}

/** GET /_matrix/key/v2/server: our keys, signed by the current key. */
export async function ownServerKeys(db: D1Database, serverName: string, now: number) {
  const signer = await serverSigner(db);
  const old = await keysDb.oldServerKeys(db);
  const body = {
    server_name: serverName,
    verify_keys: { [signer.keyId]: { key: encodeBase64(signer.publicKey) } },
    old_verify_keys: Object.fromEntries(
      old.map((k) => [k.key_id, { key: k.public_key, expired_ts: k.expired_ts ?? k.created_ts }]),
    ),
    valid_until_ts: now + KEY_VALIDITY_MS,
  };
  return signJsonAsServer(signer, serverName, body);
}
