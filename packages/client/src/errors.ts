/** Base of every error the client throws, so callers can tell ours from bugs. */
export class ClientError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * The API answered with a non-2xx status (or a body that does not match its schema, code
 * `bad_response`). Carries the `{"error":{code,message,details}}` of the answer, read by core's
 * `parseErrorEnvelope`, the same reader the agent uses.
 */
export class ApiError extends ClientError {
  readonly status: number;
  readonly code: string;
  readonly details?: Record<string, unknown>;
  readonly method: string;
  readonly path: string;
  readonly requestId: string | null;
  /** Seconds from a `Retry-After` header (429, 503), when there was one. */
  readonly retryAfterSec: number | null;

  constructor(init: {
    status: number;
    code: string;
    message: string;
    details?: Record<string, unknown>;
    method: string;
    path: string;
    requestId?: string | null;
    retryAfterSec?: number | null;
  }) {
    super(init.message);
    this.status = init.status;
    this.code = init.code;
    this.details = init.details;
    this.method = init.method;
    this.path = init.path;
    this.requestId = init.requestId ?? null;
    this.retryAfterSec = init.retryAfterSec ?? null;
  }

  /** True when the path has no route on this server (an older API), not a missing object. */
  get isMissingRoute(): boolean {
    return this.status === 404 && this.message.startsWith('no route ');
  }
}

/** The API could not be reached at all: refused, DNS, TLS, reset, timeout. */
export class ConnectionError extends ClientError {
  readonly url: string;
  /** The system error code when there is one (ECONNREFUSED, ENOTFOUND, …). */
  readonly errno: string | null;

  constructor(url: string, cause: unknown) {
    const errno = systemCode(cause);
    const why = errno ?? (cause instanceof Error ? cause.message : String(cause));
    super(`cannot reach ${url}: ${why}`, { cause });
    this.url = url;
    this.errno = errno;
  }
}

function systemCode(err: unknown): string | null {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z_]+$|^UND_ERR/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return null;
}
