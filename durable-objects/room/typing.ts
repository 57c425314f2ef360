// Typing notifications (client-server "Typing Notifications"), kept in the room object's
// memory: user → when their typing expires. Every change bumps a serial that only grows
// (it starts from the clock, so it keeps growing across restarts); the members' User objects
// are told the new serial and read the list on their next /sync. Expiry is a timer, so typing
// "stops without a new event".

/** A typing flag without a timeout lasts this long; longer timeouts are cut to MAX. */
export const DEFAULT_TYPING_MS = 30_000;
export const MAX_TYPING_MS = 120_000;

export class TypingState {
  private readonly until = new Map<string, number>();
  private serialValue = 0;

  get serial(): number {
    return this.serialValue;
  }

  /** Sets or clears a user's typing flag; returns whether the visible list changed. */
  set(userId: string, typing: boolean, timeoutMs: number | undefined, now: number): boolean {
    const wasTyping = this.isTyping(userId, now);
    if (typing) {
      const ms = Math.min(MAX_TYPING_MS, Math.max(0, timeoutMs ?? DEFAULT_TYPING_MS));
      this.until.set(userId, now + ms);
    } else {
      this.until.delete(userId);
    }
    const changed = wasTyping !== typing;
    if (changed) this.bump(now);
    return changed;
  }

  /** Removes expired entries; returns whether any was removed. */
  expire(now: number): boolean {
    let removed = false;
    for (const [user, t] of this.until) {
      if (t <= now) {
        this.until.delete(user);
        removed = true;
      }
    }
    if (removed) this.bump(now);
    return removed;
  }

  users(now: number): string[] {
    return [...this.until].filter(([, t]) => t > now).map(([u]) => u);
  }

  /** When the next entry expires, or undefined if nobody is typing. */
  nextExpiry(): number | undefined {
    let next: number | undefined;
    for (const t of this.until.values()) if (next === undefined || t < next) next = t;
    return next;
  }

  private isTyping(userId: string, now: number): boolean {
    const t = this.until.get(userId);
    return t !== undefined && t > now;
  }

  private bump(now: number): void {
    this.serialValue = Math.max(this.serialValue + 1, now);
  }
}
