import { createRoute, z } from '@hono/zod-openapi';
import { AuditEntrySchema, ForbiddenError } from '@switchyard/core';
import { listAudit } from '@switchyard/db';
import type { RouteDeps } from '../context.ts';
import { auditView } from '../views.ts';
import { ErrorResponses, ok, v1Router } from './openapi.ts';

/** `GET /v1/audit`: who did what, newest first (admin). */
export function auditRoutes(deps: RouteDeps) {
  const app = v1Router();
  const db = deps.db.db;

  app.openapi(
    createRoute({
      method: 'get',
      path: '/audit',
      summary: 'Audit log, newest first (admin)',
      request: {
        query: z.strictObject({
          limit: z.coerce.number().int().min(1).max(500).default(100),
          cursor: z.coerce.number().int().min(1).optional(),
          action: z.string().max(100).optional(),
          target: z.string().max(100).optional(),
        }),
      },
      responses: { 200: ok(z.object({ entries: z.array(AuditEntrySchema), nextCursor: z.string().nullable() })), ...ErrorResponses },
    }),
    (c) => {
      if (c.get('principal').role !== 'admin') throw new ForbiddenError('only admin tokens read the audit log');
      const q = c.req.valid('query');
      const rows = listAudit(db, { before: q.cursor, limit: q.limit + 1, action: q.action, targetId: q.target });
      const page = rows.slice(0, q.limit);
      return c.json({ entries: page.map(auditView), nextCursor: rows.length > q.limit ? String(page.at(-1)!.id) : null }, 200);
    },
  );

  return app;
}
