import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { HTTPException } from 'hono/http-exception';
import type { Logger } from 'pino';
import { TaskCreateSchema } from '@switchyard/core';
import { authenticated } from './auth.ts';
import type { RouteDeps } from './context.ts';
import { errorAnswer } from './errors.ts';
import { lazyChild } from './lazy-logger.ts';
import { readBounded } from './limits/body-limits.ts';
import { addressOf } from './limits/client-address.ts';
import type { HttpTimerEnd } from './metrics/http.ts';
import { logRequest, requestIdOf } from './request-log.ts';
import { CreateHeaders, createTask } from './routes/tasks.ts';
import { validationError } from './validation.ts';

/** The content types Hono's OpenAPI route accepts as JSON (@hono/zod-openapi's own test). */
const JSON_REQUEST = /^application\/([a-z-.]+\+)?json(;\s*[a-zA-Z0-9-]+=([^;]+))*$/i;

const ROUTE = '/v1/tasks';

/** Takes a request the native server answers; false hands it to Hono. */
export type NativeRoute = (req: IncomingMessage, res: ServerResponse) => boolean;

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/**
 * `POST /v1/tasks` served straight from Node's request and response, in front of Hono. A create
 * is the API's one high-rate write, and Hono's per-request objects (web `Headers`, the router,
 * four middlewares, async validators, a `Response`) cost it about 130 µs of a 314 µs create:
 * served here, creates went from 17 % of `/healthz` to 21–25 % (bench/NOTES.md). Everything else is
 * the route's own: the same body limit, authentication and throttle, the same schemas, the task
 * service, the error envelope, request id, metrics and request log. A body Hono's route would
 * not read as JSON goes to Hono, so its 415 stays its own; `native-create.test.ts` holds the two
 * answers equal. Hono keeps the route for the OpenAPI document and for `app.request`.
 */
export function nativeCreate(deps: RouteDeps, timer: () => HttpTimerEnd): NativeRoute {
  return (req, res) => {
    if (req.method !== 'POST' || req.url !== ROUTE || !JSON_REQUEST.test(req.headers['content-type'] ?? '')) return false;
    serve(deps, timer(), req, res).catch((err: unknown) => {
      deps.logger.error({ err }, 'create failed before it could answer');
      res.destroy();
    });
    return true;
  };
}

/** Node's request listener: the native route first, Hono's listener for everything else. */
export function withNative(native: NativeRoute, fetch: Parameters<typeof getRequestListener>[0]): RequestListener {
  const hono = getRequestListener(fetch);
  return (req, res) => {
    if (!native(req, res)) void hono(req, res);
  };
}

async function serve(deps: RouteDeps, end: HttpTimerEnd, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = performance.now();
  const header = req.headers['x-request-id'];
  const requestId = requestIdOf(typeof header === 'string' ? header : undefined);
  let logger: Logger = lazyChild(() => deps.logger, { requestId });
  let answer: Answer;
  try {
    const text = (await readBounded(req, deps.config.maxBodyBytes)).toString('utf8');
    const { trustedProxies } = deps.authGuard;
    const forwardedFor = req.headers['x-forwarded-for'];
    const addr = addressOf(req.socket.remoteAddress, typeof forwardedFor === 'string' ? forwardedFor : forwardedFor?.join(', '), trustedProxies);
    const presented = { authorization: req.headers.authorization, addr, method: 'POST', path: ROUTE, logger };
    const { principal, token } = authenticated(deps.db.db, 'user', deps.authGuard, presented);
    const parent = logger;
    logger = lazyChild(() => parent, { token: token.id });
    const headers = CreateHeaders.safeParse({ 'idempotency-key': req.headers['idempotency-key'] });
    if (!headers.success) throw validationError(headers.error, 'header');
    const body = TaskCreateSchema.safeParse(parseJson(text));
    if (!body.success) throw validationError(body.error, 'json');
    const { status, view } = await createTask(deps, principal, body.data, headers.data['idempotency-key']);
    answer = { status, headers: {}, body: view };
  } catch (err) {
    answer = errorAnswer(err instanceof Error ? err : new Error(String(err)), logger, requestId);
  }
  const json = JSON.stringify(answer.body);
  const headers: Record<string, string | number> = { ...answer.headers, 'x-request-id': requestId, 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) };
  // A 413 may leave the rest of the body unread: announce the close so no client reuses it.
  if (answer.status === 413) headers.connection = 'close';
  res.writeHead(answer.status, headers).end(json);
  end('POST', ROUTE, answer.status);
  logRequest(deps.logger, logger, { method: 'POST', path: ROUTE, status: answer.status, started });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Hono's validator's own error, so both servers answer alike.
    throw new HTTPException(400, { message: 'Malformed JSON in request body' });
  }
}
