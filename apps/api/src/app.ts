import { OpenAPIHono } from '@hono/zod-openapi';
import { authenticate, type AuthGuard } from './auth.ts';
import type { AppDeps, AppEnv, RouteDeps } from './context.ts';
import { apiReferenceRoutes } from './api-reference.ts';
import { lazyChild } from './lazy-logger.ts';
import { logRequest, requestIdOf } from './request-log.ts';
import { errorResponse } from './errors.ts';
import { AuthThrottle } from './limits/auth-throttle.ts';
import { bodyLimits } from './limits/body-limits.ts';
import { parseTrustedProxies } from './limits/client-address.ts';
import { StreamSlots } from './limits/stream-slots.ts';
import { createMetrics } from './metrics/index.ts';
import { nativeCreate, type NativeRoute } from './native-create.ts';
import { withExamples } from './openapi-examples/index.ts';
import { adminBackupRoutes } from './routes/admin-backup.ts';
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
import { ApprovalService } from './approvals/service.ts';
import { approvalRoutes } from './routes/approvals.ts';

/** The whole HTTP surface, with no I/O of its own: everything comes in `deps`. */
export function createApp(deps: AppDeps) {
  return createApi(deps).app;
}

/**
 * The Hono app, and the create route Node serves in front of it (native-create.ts), sharing one
 * task service, authentication throttle and metrics registry.
 */
export function createApi(deps: AppDeps): { app: OpenAPIHono<AppEnv>; native: NativeRoute } {
  const app = new OpenAPIHono<AppEnv>();
  const { maxStreamsPerToken = 20, authFailuresPerMinute = 20, trustedProxies = '' } = deps.config;
  const authGuard: AuthGuard = {
    throttle: new AuthThrottle(authFailuresPerMinute),
    trustedProxies: trustedProxies ? parseTrustedProxies(trustedProxies) : null,
  };
  const approvals = new ApprovalService({ db: deps.db, hub: deps.scheduler.hub, logger: deps.logger, now: deps.now ?? Date.now });
  const routeDeps: RouteDeps = { ...deps, tasks: new TaskService(deps), approvals, authGuard, streams: new StreamSlots(maxStreamsPerToken) };

  app.use('*', async (c, next) => {
    const requestId = requestIdOf(c.req.header('x-request-id'));
    c.set('requestId', requestId);
    c.set('logger', lazyChild(() => deps.logger, { requestId }));
    c.header('x-request-id', requestId);
    const started = performance.now();
    await next();
    // A 413 may leave the rest of the body unread: announce the close so no client reuses it.
    if (c.res.status === 413) c.res.headers.set('connection', 'close');
    logRequest(deps.logger, c.get('logger'), { method: c.req.method, path: c.req.path, status: c.res.status, started });
  });
  const metrics = createMetrics({ db: deps.db, scheduler: deps.scheduler, readOutput: (id, after, upTo, n) => routeDeps.tasks.output(id, after, upTo, n) });
  app.use('*', metrics.http);
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

  app.get('/metrics', async (c) => {
    const { body, contentType } = await metrics.render();
    return c.body(body, 200, { 'content-type': contentType });
  });

  app.route('/agent/v1', agentGatewayRoutes(routeDeps));
  app.route('/api/claude', claudeTaskApiRoutes(routeDeps));

  const v1 = new OpenAPIHono<AppEnv>();
  v1.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  const docConfig = {
    openapi: '3.1.0',
    info: { title: 'Switchyard API', version: '0.1.0', description: 'Task broker for Claude Code across workspace pods. Every request takes `Authorization: Bearer <token>`; errors are `{"error": {"code", "message", "details"?}}`.' },
    security: [{ bearer: [] }],
    servers: [{ url: '/v1' }],
  };
  // Built once, at the first request, when every route is registered.
  let openapi: ReturnType<typeof v1.getOpenAPI31Document> | undefined;
  v1.get('/openapi.json', (c) => c.json((openapi ??= withExamples(v1.getOpenAPI31Document(docConfig)))));
  v1.route('/docs', apiReferenceRoutes('/v1/docs', '/v1/openapi.json'));
  const userAuth = authenticate(deps.db.db, 'user', authGuard);
  v1.use('*', async (c, next) => {
    if (c.req.path === '/v1/openapi.json' || c.req.path === '/v1/docs' || c.req.path.startsWith('/v1/docs/')) return next();
    return userAuth(c, next);
  });
  for (const routes of [taskRoutes, workspaceRoutes, teamRoutes, agentRoutes, tokenRoutes, auditRoutes, consistencyRoutes, adminBackupRoutes]) {
    v1.route('/', routes(routeDeps));
  }
  v1.route('/', fleetEventRoutes(routeDeps));
  v1.route('/', searchRoutes(routeDeps));
  v1.route('/', statsRoutes(routeDeps));
  v1.route('/', approvalRoutes(routeDeps));
  app.route('/v1', v1);
  app.route('/', dashboardStaticRoutes());
  return { app, native: nativeCreate(routeDeps, metrics.httpTimer) };
}
