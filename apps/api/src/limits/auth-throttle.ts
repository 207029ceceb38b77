import { TooManyRequestsError } from './too-many.ts';

/**
 * Failed authentications per client address in a sliding minute. Past the limit the address
 * gets 429 for every attempt, good token or not, until its oldest failure is a minute old:
 * a guesser learns nothing from the answers.
 */
export class AuthThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly perMinute: number,
    private readonly clock: () => number = Date.now,
    private readonly windowMs = 60_000,
  ) {}

  /** Throws 429 when `addr` is over its limit. */
  check(addr: string): void {
    const recent = this.recent(addr);
    if (recent.length >= this.perMinute) {
      const retryAfterSec = (recent[0]! + this.windowMs - this.clock()) / 1000;
      throw new TooManyRequestsError('too many failed authentications from this address; wait and retry', retryAfterSec);
    }
  }

  fail(addr: string): void {
    const recent = this.recent(addr);
    recent.push(this.clock());
    this.failures.set(addr, recent);
    if (this.failures.size > 10_000) this.prune();
  }

  private recent(addr: string): number[] {
    const since = this.clock() - this.windowMs;
    const list = (this.failures.get(addr) ?? []).filter((t) => t > since);
    if (list.length === 0) this.failures.delete(addr);
    return list;
  }

  /**
   * Bounded memory under a spray of addresses: forget those with no failure in the window, and
   * past 100 000 addresses the ones seen first.
   */
  private prune(): void {
    for (const addr of [...this.failures.keys()]) this.recent(addr);
    for (const addr of this.failures.keys()) {
      if (this.failures.size <= 100_000) break;
      this.failures.delete(addr);
    }
  }
}
