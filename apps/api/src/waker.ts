/**
 * Lets a stream loop sleep until something happens. A poke that lands while the loop is busy
 * is remembered, so the next wait returns at once and no event is missed.
 */
export class Waker {
  private wake: (() => void) | null = null;
  private dirty = false;

  poke(): void {
    this.dirty = true;
    this.wake?.();
  }

  /** Resolves true when poked (or already poked since the last wait), false after `ms`. */
  wait(ms: number): Promise<boolean> {
    if (this.dirty) {
      this.dirty = false;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve(false);
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = null;
        this.dirty = false;
        resolve(true);
      };
    });
  }
}

/** Seconds between keep-alive comments on an idle stream, so proxies keep it open. */
export const KEEP_ALIVE_MS = 15_000;
