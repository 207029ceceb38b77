import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { SwitchyardError, UnavailableError } from '@switchyard/core';
import { isStorageUnavailable } from '@switchyard/db';
import type { AppEnv } from './context.ts';
import { isRedisUnavailable } from './redis.ts';

/** Seconds a client should wait before retrying after a 503: Redis or the disk coming back. */
export const UNAVAILABLE_RETRY_AFTER_SEC = 5;

/** A failure of Redis or SQLite that passes: 503 `unavailable`, never 500. */
function asUnavailable(err: Error): UnavailableError | null {
  if (err instanceof UnavailableError) return err;
  if (isStorageUnavailable(err)) return new UnavailableError('the database cannot take writes now; retry later', { cause: err });
  if (isRedisUnavailable(err)) return new UnavailableError('the queue (Redis) is unavailable; retry later', { cause: err });
  return null;
}

/** The one place errors become responses: `{"error": {"code", "message", "details"?}}`. */
export function errorResponse(err: Error, c: Context<AppEnv>): Response {
  const unavailable = asUnavailable(err);
  if (unavailable) {
    c.get('logger')?.warn({ err: err.message }, 'unavailable');
    c.header('Retry-After', String(UNAVAILABLE_RETRY_AFTER_SEC));
    return c.json(unavailable.toJSON(), 503);
  }
  if (err instanceof SwitchyardError) {
    if (err.code === 'quota_exceeded') {
      const resetsAt = err.details?.resetsAt;
      const secs = typeof resetsAt === 'string' ? Math.max(1, Math.ceil((Date.parse(resetsAt) - Date.now()) / 1000)) : 60;
      c.header('Retry-After', String(secs));
    } else if (typeof err.details?.retryAfterSec === 'number') {
      c.header('Retry-After', String(err.details.retryAfterSec));
    }
    return c.json(err.toJSON(), err.status as 400);
  }
  if (err instanceof HTTPException) {
    const status = err.status;
    const code = status === 413 ? 'payload_too_large' : status === 401 ? 'unauthorized' : 'invalid_request';
    const message = status === 413 ? 'request body too large' : err.message || 'bad request';
    return c.json({ error: { code, message } }, status);
  }
  const logger = c.get('logger');
  logger?.error({ err }, 'unhandled error');
  return c.json({ error: { code: 'internal', message: 'internal error; see the API log', details: { requestId: c.get('requestId') } } }, 500);
}
