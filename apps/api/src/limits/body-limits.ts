import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { MAX_EVENTS_BODY_BYTES, PayloadTooLargeError } from '@switchyard/core';

const EVENTS_PATH = /^\/agent\/v1\/tasks\/[^/]+\/events$/;

const limited = (maxSize: number): MiddlewareHandler =>
  bodyLimit({
    maxSize,
    onError: () => {
      throw new PayloadTooLargeError(`request body is over ${maxSize} bytes`, { limit: maxSize });
    },
  });

/**
 * Every body is bounded by `maxBodyBytes`, except the agent's output batches, whose limit is
 * derived from the per-line limit so that any one line the runner keeps always fits a batch.
 */
export function bodyLimits(maxBodyBytes: number): MiddlewareHandler {
  const general = limited(maxBodyBytes);
  const events = limited(Math.max(maxBodyBytes, MAX_EVENTS_BODY_BYTES));
  return (c, next) => (EVENTS_PATH.test(c.req.path) ? events(c, next) : general(c, next));
}
