// TURN credentials for VoIP (GET /voip/turnServer). With a shared secret they are the
// time-limited kind coturn checks under `use-auth-secret` (the TURN REST API draft, also
// Synapse's `turn_shared_secret`): username `<expiry unix seconds>:<user ID>`, password
// base64(HMAC-SHA1(secret, username)). Otherwise a fixed username and password.
import type { TurnConfig } from '../config.js';

export interface TurnCredentials {
  username: string;
  password: string;
  uris: string[];
  /** "The time-to-live in seconds". */
  ttl: number;
}

/** Standard, padded base64, which is what coturn compares the password against. */
function base64Padded(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

export async function hmacSha1Base64(secret: string, message: string): Promise<string> {
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey('raw', enc.encode(secret), { name: 'HMAC', hash: 'SHA-1' }, false, ['sign']);
  return base64Padded(new Uint8Array(await crypto.subtle.sign('HMAC', key, enc.encode(message))));
}

/** Credentials for `userId` valid from `nowMs` for the configured TTL. */
export async function turnCredentials(turn: TurnConfig, userId: string, nowMs: number): Promise<TurnCredentials> {
  const uris = [...turn.uris];
  if (turn.auth.kind === 'static') {
    return { username: turn.auth.username, password: turn.auth.password, uris, ttl: turn.ttlSeconds };
  }
  const expiry = Math.floor(nowMs / 1000) + turn.ttlSeconds;
  const username = `${expiry}:${userId}`;
  return { username, password: await hmacSha1Base64(turn.auth.secret, username), uris, ttl: turn.ttlSeconds };
}
