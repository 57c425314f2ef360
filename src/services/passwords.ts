// Password hashing. PBKDF2-HMAC-SHA256 through WebCrypto, by default at 100,000 iterations:
// the most the production Workers runtime allows (it refuses more), in native code, so one
// hash costs ~13 ms of CPU (measured in `npm run bench`; see README). PASSWORD_HASH_ITERATIONS
// lowers it for the Free plan's 10 ms CPU budget. argon2id in WASM was
// the alternative, but at a memory cost that resists GPUs it takes far more CPU per hash
// than a Worker request may spend. The stored format is versioned
// (`$pbkdf2-sha256$i=<iterations>$<salt>$<hash>`) so a stronger scheme can replace it on
// the next successful login (`needsRehash`).
import { decodeBase64, encodeBase64 } from '../core/json/base64.js';
import { randomBytes } from '../platform/random.js';

/** The runtime's cap: production Workers refuse PBKDF2 above this. */
export const MAX_PBKDF2_ITERATIONS = 100_000;
const SCHEME = 'pbkdf2-sha256';

async function pbkdf2(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(password.normalize('NFKC')), 'PBKDF2', false, [
    'deriveBits',
  ]);
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, 256);
  return new Uint8Array(bits);
}

export async function hashPassword(password: string, iterations: number): Promise<string> {
  const salt = randomBytes(16);
  const hash = await pbkdf2(password, salt, iterations);
  return `$${SCHEME}$i=${iterations}$${encodeBase64(salt)}$${encodeBase64(hash)}`;
}

function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  const subtle = crypto.subtle as SubtleCrypto & { timingSafeEqual?: (a: ArrayBufferView, b: ArrayBufferView) => boolean };
  if (typeof subtle.timingSafeEqual === 'function') return subtle.timingSafeEqual(a, b);
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** Checks a password against a stored hash; `needsRehash` when it was made with other parameters. */
export async function verifyPassword(
  password: string,
  stored: string | null,
  iterationsWanted: number,
): Promise<{ ok: boolean; needsRehash: boolean }> {
  if (!stored) return { ok: false, needsRehash: false };
  const m = /^\$([a-z0-9-]+)\$i=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/.exec(stored);
  if (!m || m[1] !== SCHEME) return { ok: false, needsRehash: false };
  const iterations = Number(m[2]);
  const salt = decodeBase64(m[3]!);
  const expected = decodeBase64(m[4]!);
  if (!salt || !expected || iterations < 1 || iterations > MAX_PBKDF2_ITERATIONS) return { ok: false, needsRehash: false };
  const actual = await pbkdf2(password, salt, iterations);
  const ok = timingSafeEqual(actual, expected);
  return { ok, needsRehash: ok && iterations !== iterationsWanted };
}
