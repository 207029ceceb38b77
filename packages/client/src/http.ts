import { parseErrorEnvelope } from '@switchyard/core';
import { ApiError, ConnectionError } from './errors.ts';

/**
 * What the client needs of a zod schema. Structural, so this package needs no zod of its own:
 * the schemas come from @switchyard/core.
 */
export interface Schema<T> {
  safeParse(
    data: unknown,
  ): { success: true; data: T } | { success: false; error: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> } };
}

export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

export interface HttpOptions {
  /** Base URL of the API, e.g. `http://127.0.0.1:7700` (a path prefix is kept). */
  url: string;
  /** A user token (`syu_…`). */
  token?: string;
  fetch?: FetchLike;
  /** Sent as `User-Agent`, so API logs tell the CLI from scripts. */
  userAgent?: string;
}

export type Query = Record<string, string | number | boolean | undefined | null>;

export interface RequestOptions {
  query?: Query;
  json?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** The transport every resource method goes through: auth, URLs, errors, validation. */
export class Http {
  readonly baseUrl: string;
  private readonly token?: string;
  private readonly fetchImpl: FetchLike;
  private readonly userAgent?: string;

  constructor(opts: HttpOptions) {
    this.baseUrl = opts.url.replace(/\/+$/, '');
    this.token = opts.token;
    this.fetchImpl = opts.fetch ?? ((input, init) => fetch(input, init));
    this.userAgent = opts.userAgent;
  }

  url(path: string, query?: Query): string {
    const u = new URL(this.baseUrl + path);
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v !== undefined && v !== null && v !== '') u.searchParams.set(k, String(v));
    }
    return u.toString();
  }

  /** Sends a request and returns the response when it is 2xx; otherwise throws ApiError. */
  async send(method: string, path: string, opts: RequestOptions = {}): Promise<Response> {
    const headers = new Headers(opts.headers);
    if (this.token) headers.set('authorization', `Bearer ${this.token}`);
    if (this.userAgent) headers.set('user-agent', this.userAgent);
    if (opts.json !== undefined) headers.set('content-type', 'application/json');
    const target = this.url(path, opts.query);
    let res: Response;
    try {
      res = await this.fetchImpl(target, {
        method,
        headers,
        body: opts.json !== undefined ? JSON.stringify(opts.json) : undefined,
        signal: opts.signal,
      });
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      throw new ConnectionError(this.baseUrl, err);
    }
    if (!res.ok) throw await errorFrom(res, method, path);
    return res;
  }

  /** A JSON request whose answer is checked against `schema`. */
  async json<T>(method: string, path: string, schema: Schema<T>, opts?: RequestOptions): Promise<T> {
    const res = await this.send(method, path, opts);
    return parseBody(res, schema, method, path);
  }
}

/**
 * Checks a body against its schema. The body is returned as sent (not the parsed copy) so
 * fields a newer server adds still reach `-o json`; the view schemas have no transforms.
 */
export async function parseBody<T>(res: Response, schema: Schema<T>, method: string, path: string): Promise<T> {
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw badResponse(res, method, path, `the answer is not JSON: ${text.slice(0, 200)}`);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `${issue.path.map(String).join('.')}: ` : '';
    throw badResponse(res, method, path, `unexpected answer shape (${where}${issue?.message ?? 'invalid'})`);
  }
  return body as T;
}

function badResponse(res: Response, method: string, path: string, message: string): ApiError {
  return new ApiError({
    status: res.status,
    code: 'bad_response',
    message: `${method} ${path}: ${message}`,
    method,
    path,
    requestId: res.headers.get('x-request-id'),
  });
}

async function errorFrom(res: Response, method: string, path: string): Promise<ApiError> {
  const text = await res.text().catch(() => '');
  const envelope = parseErrorEnvelope(res.status, text, res.headers, res.statusText);
  return new ApiError({ status: res.status, ...envelope, method, path });
}
