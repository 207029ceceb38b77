import { describe, expect, it } from 'vitest';
import { retryDelay, SLOW_RETRY_MS } from './backoff.ts';
import { apiError } from './turn/test-support.ts';

/** What 1,000 agents that failed the same way at the same moment would each wait. */
const fleetWaits = (attempt: number, err: unknown) => Array.from({ length: 1000 }, () => retryDelay(attempt, err));
const spread = (waits: number[]) => Math.max(...waits) - Math.min(...waits);

describe('retry backoff', () => {
  it('spreads a fleet’s retries after an API outage instead of sending them all at once', () => {
    const outage = new TypeError('fetch failed');
    for (const attempt of [1, 3, 8]) {
      const waits = fleetWaits(attempt, outage);
      const step = Math.min(15_000, 500 * 2 ** Math.min(attempt, 5));
      // Never sooner than half the step, never later than the step: still backing off.
      expect(Math.min(...waits)).toBeGreaterThanOrEqual(step / 2);
      expect(Math.max(...waits)).toBeLessThanOrEqual(step);
      // Spread over most of that half: no two agents in lockstep come back together.
      expect(spread(waits)).toBeGreaterThan(step * 0.4);
      expect(new Set(waits).size).toBeGreaterThan(waits.length / 4);
    }
  });

  it('backs off further with each failure in a row, up to a cap', () => {
    const at = (attempt: number) => retryDelay(attempt, new TypeError('fetch failed'), () => 1);
    expect([0, 1, 2, 3, 4, 5, 6, 20].map(at)).toEqual([500, 1000, 2000, 4000, 8000, 15_000, 15_000, 15_000]);
  });

  it('waits long, and jittered, when a person must act first (token refused, agent too old)', () => {
    for (const err of [apiError(401, 'unauthorized'), apiError(426, 'agent_too_old')]) {
      const waits = fleetWaits(0, err);
      expect(Math.min(...waits)).toBeGreaterThanOrEqual(SLOW_RETRY_MS / 2);
      expect(spread(waits)).toBeGreaterThan(SLOW_RETRY_MS * 0.4);
    }
  });
});
