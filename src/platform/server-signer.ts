// The server's ed25519 signing key as a Signer: created once on first need (concurrent first
// requests agree through a UNIQUE row in D1), never silently replaced, loaded once per
// isolate. A platform adapter so that Durable Objects (which may not import services) sign
// with the same key as the Worker; its SQL stays in src/db/server-keys.ts.
import { encodeBase64, decodeBase64 } from '../core/json/base64.js';
import * as keysDb from '../db/server-keys.js';
import { createSigner, publicKeyFromSeed, type Signer } from './signer.js';

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

/** The current signing key, loaded once per isolate (a failed load is retried next time). */
export function serverSigner(db: D1Database): Promise<Signer> {
  let signer = signers.get(db);
  if (!signer) {
    signer = loadOrCreate(db);
    signers.set(db, signer);
    signer.catch(() => signers.delete(db));
  }
  return signer;
}
