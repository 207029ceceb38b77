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

/**
 * How long one request may take, answer read included: longer than the longest long-poll (25 s)
 * with room for a slow API, far shorter than the grace period after which the API calls an agent
 * lost. A connection that silently drops traffic (a broken NAT, a partition) would otherwise
 * hang a request for undici's 300 s.
 */
export const REQUEST_TIMEOUT_MS = 45_000;

const RAW_JSON = Symbol('json');

/**
 * `value` carrying its own serialisation, sent as the body instead of JSON.stringify(value): for
 * output batches, whose lines were serialised once when queued (to size the batch) and were
 * serialised a second time for the body.
 */
export function withJson<T extends object>(value: T, json: string): T {
  return Object.assign(value, { [RAW_JSON]: json });
}

function serialise(body: unknown): string {
  return typeof body === 'object' && body !== null && RAW_JSON in body ? (body as { [RAW_JSON]: string })[RAW_JSON] : JSON.stringify(body);
}

/** POSTs JSON to the agent gateway and parses the answer with a core schema. */
export function createApiClient(url: string, token: string, fetchImpl: typeof fetch = fetch, timeoutMs = REQUEST_TIMEOUT_MS) {
  const request = requester(url, token, fetchImpl, timeoutMs);
  return function post<T extends z.ZodType>(path: string, body: unknown, schema: T, signal?: AbortSignal): Promise<z.infer<T>> {
    return request('POST', path, body, schema, signal);
  };
}

/** GETs from the agent gateway (an approval's long-poll) and parses the answer with a core schema. */
export function createApiGet(url: string, token: string, fetchImpl: typeof fetch = fetch, timeoutMs = REQUEST_TIMEOUT_MS) {
  const request = requester(url, token, fetchImpl, timeoutMs);
  return function get<T extends z.ZodType>(path: string, schema: T, signal?: AbortSignal): Promise<z.infer<T>> {
    return request('GET', path, undefined, schema, signal);
  };
}

function requester(url: string, token: string, fetchImpl: typeof fetch, timeoutMs: number) {
  return async function request<T extends z.ZodType>(method: string, path: string, body: unknown, schema: T, signal?: AbortSignal): Promise<z.infer<T>> {
    const deadline = AbortSignal.timeout(timeoutMs);
    const res = await fetchImpl(`${url}/agent/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : serialise(body),
      signal: signal ? AbortSignal.any([signal, deadline]) : deadline,
    });
    const text = await res.text();
    if (!res.ok) throw new ApiError(res.status, parseErrorEnvelope(res.status, text, res.headers, res.statusText));
    return schema.parse(JSON.parse(text));
  };
}

export type ApiPost = ReturnType<typeof createApiClient>;
export type ApiGet = ReturnType<typeof createApiGet>;

/** One line for a log: the API's status, code and message, or the transport error and its cause. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) return `${err.status} ${err.code}: ${err.message}`;
  return err instanceof Error ? `${err.message}${err.cause instanceof Error ? ` (${err.cause.message})` : ''}` : String(err);
}
