/** What a non-2xx answer of the API says, read from its `{"error": {code, message, details}}`. */
export interface ErrorEnvelope {
  code: string;
  message: string;
  details?: Record<string, unknown>;
  /** Seconds from a `Retry-After` header (429, 503), when there was one. */
  retryAfterSec: number | null;
  requestId: string | null;
}

/**
 * Reads an error answer. Anything that is not our error shape (a proxy's HTML page, say) keeps
 * its text as the message and gets the code `http_<status>`. Used by the client and the agent.
 */
export function parseErrorEnvelope(
  status: number,
  text: string,
  headers?: { get(name: string): string | null },
  statusText = '',
): ErrorEnvelope {
  let code = `http_${status}`;
  let message = text.trim().slice(0, 500) || statusText || `HTTP ${status}`;
  let details: Record<string, unknown> | undefined;
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown; details?: unknown } };
    if (body.error && typeof body.error.code === 'string') {
      code = body.error.code;
      if (typeof body.error.message === 'string') message = body.error.message;
      if (body.error.details && typeof body.error.details === 'object') details = body.error.details as Record<string, unknown>;
    }
  } catch {
    // not our error shape: keep the text
  }
  const retryAfter = headers?.get('retry-after') ?? null;
  return {
    code,
    message,
    ...(details ? { details } : {}),
    retryAfterSec: retryAfter && /^\d+$/.test(retryAfter) ? Number(retryAfter) : null,
    requestId: headers?.get('x-request-id') ?? null,
  };
}
