import type { z } from 'zod';

/** An answer of the API that was not 2xx, with its error code and details. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
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
    if (!res.ok) {
      let err: { code?: string; message?: string; details?: Record<string, unknown> } = {};
      try {
        err = (JSON.parse(text) as { error?: typeof err }).error ?? {};
      } catch {
        // not our error shape (a proxy's page)
      }
      throw new ApiError(res.status, err.code ?? `http_${res.status}`, err.message ?? text.slice(0, 200), err.details ?? {});
    }
    return schema.parse(JSON.parse(text));
  };
}

export type ApiPost = ReturnType<typeof createApiClient>;
