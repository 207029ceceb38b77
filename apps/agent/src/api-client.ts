import { parseErrorEnvelope, type ErrorEnvelope } from '@switchyard/core';
import type { z } from 'zod';

/** An answer of the API that was not 2xx, as core's envelope parser read it. */
export class ApiError extends Error {
  readonly code: string;
  readonly details: Record<string, unknown>;
  readonly retryAfterSec: number | null;
  readonly requestId: string | null;

  constructor(
    readonly status: number,
    envelope: ErrorEnvelope,
  ) {
    super(envelope.message);
    this.name = 'ApiError';
    this.code = envelope.code;
    this.details = envelope.details ?? {};
    this.retryAfterSec = envelope.retryAfterSec;
    this.requestId = envelope.requestId;
  }
}

/** POSTs JSON to the agent gateway and parses the answer with a core schema. */
export function createApiClient(url: string, token: string, fetchImpl: typeof fetch = fetch) {
  return async function post<T extends z.ZodType>(path: string, body: unknown, schema: T, signal?: AbortSignal): Promise<z.infer<T>> {
    const res = await fetchImpl(`${url}/agent/v1${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal,
    });
    const text = await res.text();
    if (!res.ok) throw new ApiError(res.status, parseErrorEnvelope(res.status, text, res.headers, res.statusText));
    return schema.parse(JSON.parse(text));
  };
}

export type ApiPost = ReturnType<typeof createApiClient>;

/** One line for a log: the API's status, code and message, or the transport error and its cause. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) return `${err.status} ${err.code}: ${err.message}`;
  return err instanceof Error ? `${err.message}${err.cause instanceof Error ? ` (${err.cause.message})` : ''}` : String(err);
}
