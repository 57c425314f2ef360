// Parked /sync requests: each waits (as a pending RPC call) until its condition holds or its
// timeout passes. Every write to the stream calls `wake`, which releases the requests that
// now have something to return, within the same turn of the event loop: nothing polls.

interface Parked {
  ready: () => boolean;
  release: () => void;
}

export class Waiters {
  private readonly parked = new Set<Parked>();

  get size(): number {
    return this.parked.size;
  }

  /** Resolves when `ready()` is true after a `wake`, or after `timeoutMs`. */
  wait(ready: () => boolean, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const parked: Parked = {
        ready,
        release: () => {
          clearTimeout(timer);
          this.parked.delete(parked);
          resolve();
        },
      };
      const timer = setTimeout(parked.release, timeoutMs);
      this.parked.add(parked);
    });
  }

  wake(): void {
    for (const p of [...this.parked]) if (p.ready()) p.release();
  }
}
