import { randomUUID } from 'node:crypto';
import { OpenAPIHono } from '@hono/zod-openapi';
import { authenticate, type AuthGuard } from './auth.ts';
import type { AppDeps, AppEnv, RouteDeps } from './context.ts';
import { renderDocs } from './docs.ts';
import { errorResponse } from './errors.ts';
import { AuthThrottle } from './limits/auth-throttle.ts';
import { bodyLimits } from './limits/body-limits.ts';
import { parseTrustedProxies } from './limits/client-address.ts';
import { StreamSlots } from './limits/stream-slots.ts';
import { Counters, renderMetrics } from './metrics.ts';
import { agentGatewayRoutes } from './routes/agent-gateway.ts';
import { agentRoutes } from './routes/agents.ts';
import { auditRoutes } from './routes/audit.ts';
import { claudeTaskApiRoutes } from './routes/claude-task-api.ts';
import { consistencyRoutes } from './routes/consistency.ts';
import { dashboardStaticRoutes } from './routes/dashboard-static.ts';
import { fleetEventRoutes } from './routes/events.ts';
import { searchRoutes } from './routes/search.ts';
import { statsRoutes } from './routes/stats.ts';
import { taskRoutes } from './routes/tasks.ts';
import { teamRoutes } from './routes/teams.ts';
import { tokenRoutes } from './routes/tokens.ts';
import { workspaceRoutes } from './routes/workspaces.ts';
import { TaskService } from './tasks/service.ts';

/** The whole HTTP surface, with no I/O of its own: everything comes in `deps`. */
export function createApp(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>();
  const { maxStreamsPerToken = 20, authFailuresPerMinute = 20, trustedProxies = '' } = deps.config;
  const authGuard: AuthGuard = {
    throttle: new AuthThrottle(authFailuresPerMinute),
    trustedProxies: trustedProxies ? parseTrustedProxies(trustedProxies) : null,
  };
  const routeDeps: RouteDeps = { ...deps, tasks: new TaskService(deps), authGuard, streams: new StreamSlots(maxStreamsPerToken) };

  app.use('*', async (c, next) => {
    const requestId = c.req.header('x-request-id')?.slice(0, 100) || randomUUID();
    c.set('requestId', requestId);
    c.set('logger', deps.logger.child({ requestId }));
    c.header('x-request-id', requestId);
    const started = performance.now();
    await next();
    // A 413 may leave the rest of the body unread: announce the close so no client reuses it.
    if (c.res.status === 413) c.res.headers.set('connection', 'close');
    const ms = Math.round(performance.now() - started);
    const level = c.res.status >= 500 ? 'error' : 'debug';
    c.get('logger')[level]({ method: c.req.method, path: c.req.path, status: c.res.status, ms }, 'request');
  });
  app.use('*', bodyLimits(deps.config.maxBodyBytes));
  app.onError(errorResponse);
  app.notFound((c) => c.json({ error: { code: 'not_found', message: `no route ${c.req.method} ${c.req.path}` } }, 404));

  app.get('/healthz', (c) => c.json({ ok: true }));
  app.get('/readyz', async (c) => {
    // Both checks are bounded: a probe must hear "not ready" promptly, never hang.
    const sqlite = deps.db.writable();
    const redis = await deps.redisPing().catch(() => false);
    const ok = sqlite && redis;
    if (!ok) c.header('Retry-After', '5');
    return c.json({ ok, sqlite, redis }, ok ? 200 : 503);
  });

  const counters = new Counters(deps.scheduler.hub);
  app.get('/metrics', (c) => c.text(renderMetrics(deps.db, deps.scheduler, counters), 200, { 'content-type': 'text/plain; version=0.0.4' }));

  app.route('/agent/v1', agentGatewayRoutes(routeDeps));
  app.route('/api/claude', claudeTaskApiRoutes(routeDeps));

  const v1 = new OpenAPIHono<AppEnv>();
  v1.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  const docConfig = {
    openapi: '3.1.0',
    info: { title: 'Switchyard API', version: '0.1.0', description: 'Task broker for Claude Code across workspace pods.' },
    security: [{ bearer: [] }],
    servers: [{ url: '/v1' }],
  };
  v1.doc31('/openapi.json', docConfig);
  v1.get('/docs', (c) => c.html(renderDocs(v1.getOpenAPI31Document(docConfig) as Parameters<typeof renderDocs>[0])));
  v1.use('*', async (c, next) => {
    if (c.req.path === '/v1/openapi.json' || c.req.path === '/v1/docs') return next();
    return authenticate(deps.db.db, 'user', authGuard)(c, next);
  });
  for (const routes of [taskRoutes, workspaceRoutes, teamRoutes, agentRoutes, tokenRoutes, auditRoutes, consistencyRoutes]) {
    v1.route('/', routes(routeDeps));
  }
  v1.route('/', fleetEventRoutes(routeDeps));
  v1.route('/', searchRoutes(routeDeps));
  v1.route('/', statsRoutes(routeDeps));
  app.route('/v1', v1);
  app.route('/', dashboardStaticRoutes());
  return app;
}
