import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { SwitchyardError } from '@switchyard/core';
import type { AppEnv } from './context.ts';

/** The one place errors become responses: `{"error": {"code", "message", "details"?}}`. */
export function errorResponse(err: Error, c: Context<AppEnv>): Response {
  if (err instanceof SwitchyardError) {
    if (err.code === 'quota_exceeded') {
      const resetsAt = err.details?.resetsAt;
      const secs = typeof resetsAt === 'string' ? Math.max(1, Math.ceil((Date.parse(resetsAt) - Date.now()) / 1000)) : 60;
      c.header('Retry-After', String(secs));
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
