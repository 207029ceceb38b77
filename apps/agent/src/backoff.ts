import { ApiError } from './api-client.ts';

/** The wait between attempts when nothing changes until a person acts. */
export const SLOW_RETRY_MS = 30_000;
const BASE_MS = 500;
const MAX_MS = 15_000;

/**
 * Wait before the next register or sync after `attempt` failures in a row: exponential, capped,
 * and jittered over the upper half of the step ("equal jitter"), so a fleet that lost the API at
 * the same moment does not come back at the same moment and knock it over again. Slow when a
 * person must act first: a wrong or revoked token (401, 403), or a protocol version the API does
 * not serve (426 `agent_too_old`).
 */
export function retryDelay(attempt: number, err: unknown, random: () => number = Math.random): number {
  const step = err instanceof ApiError && [401, 403, 426].includes(err.status) ? SLOW_RETRY_MS : Math.min(MAX_MS, BASE_MS * 2 ** Math.min(attempt, 5));
  return Math.round(step / 2 + random() * (step / 2));
}
