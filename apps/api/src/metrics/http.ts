import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { Histogram, type Registry } from 'prom-client';

/** Buckets from a cached read (a few ms) to a held long-poll or stream (a minute). */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * The route template that answered (`/v1/tasks/:id`), never the raw path: a task id in a label
 * would make a new series per task. Read after the handler ran, when the route index points at
 * the handler that responded; a request only middleware or the dashboard's catch-all saw and
 * answered 404 is `unmatched`.
 */
export function routeTemplate(c: Context, status: number): string {
  const route = matchedRoutes(c)[c.req.routeIndex];
  if (!route) return 'unmatched';
  if (route.path.endsWith('*') && (route.method === 'ALL' || status === 404)) return 'unmatched';
  return route.path;
}

/** Ends a request's timing with the route template that answered and its status. */
export type HttpTimerEnd = (method: string, route: string, status: number) => void;

/**
 * Times every request into `switchyard_http_request_duration_seconds{method,route,status}`: as
 * Hono middleware, and as a timer for the route served straight from Node (native-create.ts).
 */
export function httpMetrics(registry: Registry): { middleware: MiddlewareHandler; timer(): HttpTimerEnd } {
  const histogram = new Histogram({
    name: 'switchyard_http_request_duration_seconds',
    help: 'HTTP request duration by method, route template and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: BUCKETS,
    registers: [registry],
  });
  const timer = (): HttpTimerEnd => {
    const end = histogram.startTimer();
    return (method, route, status) => end({ method, route, status: String(status) });
  };
  return {
    timer,
    middleware: async (c, next) => {
      const end = timer();
      try {
        await next();
      } finally {
        end(c.req.method, routeTemplate(c, c.res.status), c.res.status);
      }
    },
  };
}
