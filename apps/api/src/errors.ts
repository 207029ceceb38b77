import type { Context } from 'hono';
import type { Logger } from 'pino';
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

/** An error as the client receives it: status, extra headers and the envelope. */
export interface ErrorAnswer {
  status: number;
  headers: Record<string, string>;
  body: { error: { code: string; message: string; details?: Record<string, unknown> } };
}

/**
 * The one place errors become answers: `{"error": {"code", "message", "details"?}}`, for Hono's
 * routes (`errorResponse`) and the create route served straight from Node (native-create.ts).
 */
export function errorAnswer(err: Error, logger: Logger | undefined, requestId: string | undefined): ErrorAnswer {
  const unavailable = asUnavailable(err);
  if (unavailable) {
    logger?.warn({ err: err.message }, 'unavailable');
    return { status: 503, headers: { 'Retry-After': String(UNAVAILABLE_RETRY_AFTER_SEC) }, body: unavailable.toJSON() };
  }
  if (err instanceof SwitchyardError) {
    const headers: Record<string, string> = {};
    if (err.code === 'quota_exceeded') {
      const resetsAt = err.details?.resetsAt;
      const secs = typeof resetsAt === 'string' ? Math.max(1, Math.ceil((Date.parse(resetsAt) - Date.now()) / 1000)) : 60;
      headers['Retry-After'] = String(secs);
    } else if (typeof err.details?.retryAfterSec === 'number') {
      headers['Retry-After'] = String(err.details.retryAfterSec);
    }
    return { status: err.status, headers, body: err.toJSON() };
  }
  if (err instanceof HTTPException) {
    const status = err.status;
    const code = status === 413 ? 'payload_too_large' : status === 401 ? 'unauthorized' : 'invalid_request';
    const message = status === 413 ? 'request body too large' : err.message || 'bad request';
    return { status, headers: {}, body: { error: { code, message } } };
  }
  logger?.error({ err }, 'unhandled error');
  return { status: 500, headers: {}, body: { error: { code: 'internal', message: 'internal error; see the API log', details: { requestId } } } };
}

/** Hono's `onError`: the answer of `errorAnswer` as a Response. */
export function errorResponse(err: Error, c: Context<AppEnv>): Response {
  const { status, headers, body } = errorAnswer(err, c.get('logger'), c.get('requestId'));
  for (const [name, value] of Object.entries(headers)) c.header(name, value);
  return c.json(body, status as 400);
}
