import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { MAX_EVENTS_BODY_BYTES, PayloadTooLargeError } from '@switchyard/core';

const EVENTS_PATH = /^\/agent\/v1\/tasks\/[^/]+\/events$/;

const tooLarge = (maxSize: number) => new PayloadTooLargeError(`request body is over ${maxSize} bytes`, { limit: maxSize });

/** Reads a Node request body, refusing it as soon as it passes `maxSize` bytes. */
function readIncoming(incoming: IncomingMessage, maxSize: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (err: Error | null) => {
      incoming.off('data', onData).off('end', onEnd).off('error', done);
      if (err) reject(err);
      else resolve(Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxSize) done(tooLarge(maxSize));
      else chunks.push(chunk);
    };
    const onEnd = () => done(null);
    incoming.on('data', onData).on('end', onEnd).on('error', done);
  });
}

/** A Node request's body, refused with 413 past `maxSize`: before reading it, when its length says so. */
export function readBounded(incoming: IncomingMessage, maxSize: number): Promise<Buffer> {
  if (Number(incoming.headers['content-length']) > maxSize) return Promise.reject(tooLarge(maxSize));
  return readIncoming(incoming, maxSize);
}

/**
 * Bounds a body to `maxSize` bytes. Under Node it reads the request stream itself and hands the
 * text to Hono's body cache, so `c.req.json()` never builds a web `Request` and its streams (a
 * fifth of a create's CPU); elsewhere (tests calling `app.request`) Hono's own `bodyLimit`.
 */
const limited = (maxSize: number): MiddlewareHandler => {
  const portable = bodyLimit({
    maxSize,
    onError: () => {
      throw tooLarge(maxSize);
    },
  });
  return async (c: Context, next) => {
    const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
    if (!incoming) return portable(c, next);
    // Nothing reads the body of a GET (Node discards it): looking at it would build a web Request.
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const body = await readBounded(incoming, maxSize);
    // Hono keeps promises in its body cache, whatever its type says.
    (c.req.bodyCache as Record<string, unknown>).text = Promise.resolve(body.toString('utf8'));
    await next();
  };
};

/**
 * Every body is bounded by `maxBodyBytes`, except the agent's output batches, whose limit is
 * derived from the per-line limit so that any one line the runner keeps always fits a batch.
 */
export function bodyLimits(maxBodyBytes: number): MiddlewareHandler {
  const general = limited(maxBodyBytes);
  const events = limited(Math.max(maxBodyBytes, MAX_EVENTS_BODY_BYTES));
  return (c, next) => (EVENTS_PATH.test(c.req.path) ? events(c, next) : general(c, next));
}
