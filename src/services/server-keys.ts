// The server's ed25519 signing key: created once on first need (concurrent first requests
// agree through a UNIQUE row in D1), never silently replaced, and published on
// /_matrix/key/v2/server signed by itself.
import { encodeBase64, decodeBase64 } from '../core/json/base64.js';
import { signingPayload, withSignature, type Signed } from '../core/crypto/signing.js';
import * as keysDb from '../db/server-keys.js';
import { createSigner, publicKeyFromSeed, type Signer } from '../platform/signer.js';

/** How long other servers may cache our keys. */
export const KEY_VALIDITY_MS = 7 * 24 * 60 * 60 * 1000;

const signers = new WeakMap<D1Database, Promise<Signer>>();

function randomKeyId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return `ed25519:${Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('')}`;
}

async function loadOrCreate(db: D1Database): Promise<Signer> {
  let row = await keysDb.currentServerKey(db);
  if (!row) {
    const seed = crypto.getRandomValues(new Uint8Array(32));
    const publicKey = await publicKeyFromSeed(seed);
    await keysDb.insertServerKeyIfNone(db, {
      keyId: randomKeyId(),
      seed: encodeBase64(seed),
      publicKey: encodeBase64(publicKey),
      createdTs: Date.now(),
    });
    row = await keysDb.currentServerKey(db);
    if (!row) throw new Error('server signing key could not be created');
  }
  const seed = decodeBase64(row.seed);
  if (!seed || seed.length !== 32) throw new Error(`stored signing key ${row.key_id} is corrupt`);
  return createSigner(row.key_id, seed);
}

/** The current signing key, loaded once per isolate. */
export function serverSigner(db: D1Database): Promise<Signer> {
  let signer = signers.get(db);
  if (!signer) {
    signer = loadOrCreate(db);
    signers.set(db, signer);
    signer.catch(() => signers.delete(db));
  }
  return signer;
}

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
