// Token-bucket rate limiter, one object per (bucket, key) such as ("login", an IP address).
// The state is small and in memory on purpose: losing it on eviction only forgives a client.
import { DurableObject } from 'cloudflare:workers';

export interface RateLimitVerdict {
  ok: boolean;
  /** When not ok: how long until one request is allowed again. */
  retryAfterMs: number;
}

export class RateLimiter extends DurableObject<Env> {
  private tokens = 0;
  private updated = 0;
  private capacity = 0;

  /** Takes one token from a bucket of `burst` tokens refilled evenly over `periodMs`. */
  take(burst: number, periodMs: number): RateLimitVerdict {
    const now = Date.now();
    const refillPerMs = burst / periodMs;
    if (this.capacity !== burst) {
      // First use, or the configured limit changed: start full.
      this.capacity = burst;
      this.tokens = burst;
    } else {
      this.tokens = Math.min(burst, this.tokens + (now - this.updated) * refillPerMs);
    }
    this.updated = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { ok: true, retryAfterMs: 0 };
    }
    return { ok: false, retryAfterMs: Math.ceil((1 - this.tokens) / refillPerMs) };
  }
}
