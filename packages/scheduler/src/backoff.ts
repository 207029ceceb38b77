/** Exponential backoff with jitter for rate limits with no known reset: 30 s doubling to 15 min. */
export function rateLimitBackoffMs(
  level: number,
  { baseMs = 30_000, maxMs = 15 * 60_000, random = Math.random } = {},
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, level));
  // Full jitter would let a retry come back at once; keep at least half the window.
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Backoff for infrastructure retries (agent lost before start, spawn failed). */
export function retryBackoffMs(attempt: number, baseMs = 2_000, maxMs = 60_000): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
}
