import { createRoute, z } from '@hono/zod-openapi';
import { assertAdmin } from '../auth.ts';
import type { RouteDeps } from '../context.ts';
import { ErrorResponses, ok, v1Router } from './openapi.ts';

const Report = z.object({
  ranAt: z.string().nullable(),
  enqueued: z.array(z.string()),
  removedJobs: z.array(z.string()),
  requeuedLeases: z.array(z.string()),
});

/** `GET /v1/admin/consistency`: the reconciler's last report of SQLite against Redis (admin). */
export function consistencyRoutes(deps: RouteDeps) {
  const app = v1Router();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/admin/consistency',
      summary: 'What the reconciler found and fixed at its last run (?run=1 runs it now) (admin)',
      request: { query: z.strictObject({ run: z.enum(['0', '1']).optional() }) },
      responses: { 200: ok(Report), ...ErrorResponses },
    }),
    async (c) => {
      assertAdmin(c.get('principal'));
      if (c.req.valid('query').run === '1') await deps.scheduler.reconcile();
      return c.json(deps.scheduler.lastReconcile(), 200);
    },
  );

  return app;
}
