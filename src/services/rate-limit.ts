// Rate limiting for abuse-prone endpoints (register, login, ...), per client IP and per user,
// through the RateLimiter Durable Object. Only those endpoints pay its cost (one DO call).
import type { RateLimit } from '../config.js';
import { limitExceeded } from '../core/errors.js';

/** Throws 429 M_LIMIT_EXCEEDED with retry_after_ms when `key` has used up `bucket`. */
export async function enforceRateLimit(
  env: Env,
  bucket: string,
  key: string,
  limit: RateLimit | undefined,
): Promise<void> {
  if (!limit) return;
  const stub = env.RATE_LIMITER.getByName(`${bucket}:${key}`);
  const verdict = await stub.take(limit.burst, limit.periodMs);
  if (!verdict.ok) throw limitExceeded(verdict.retryAfterMs);
}

/** The client address Cloudflare reports; locally there is none, so everything shares one key. */
export function clientIp(req: Request): string {
  return req.headers.get('CF-Connecting-IP') ?? 'local';
}
