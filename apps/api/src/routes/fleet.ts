import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { NotFoundError, WorkspaceViewSchema } from '@switchyard/core';
import { findWorkspace, listWorkspaces } from '@switchyard/db';
import { canSee } from '../auth.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { workspaceView } from '../views.ts';
import { ErrorResponses, validationHook } from './common.ts';

export function fleetRoutes(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const db = deps.db.db;

  app.openapi(
    createRoute({
      method: 'get',
      path: '/workspaces',
      summary: 'List workspaces with readiness, agent and load',
      responses: {
        200: { description: 'Workspaces', content: { 'application/json': { schema: z.object({ workspaces: z.array(WorkspaceViewSchema) }) } } },
        ...ErrorResponses,
      },
    }),
    (c) => {
      const p = c.get('principal');
      const rows = listWorkspaces(db).filter((w) => canSee(p, w.teamId));
      return c.json({ workspaces: rows.map((w) => workspaceView(db, deps.scheduler, w)) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/workspaces/{ref}',
      summary: 'Get a workspace by name or id',
      request: { params: z.object({ ref: z.string().min(1).max(80) }) },
      responses: {
        200: { description: 'The workspace', content: { 'application/json': { schema: WorkspaceViewSchema } } },
        ...ErrorResponses,
      },
    }),
    (c) => {
      const { ref } = c.req.valid('param');
      const ws = findWorkspace(db, ref);
      if (!ws || !canSee(c.get('principal'), ws.teamId)) throw new NotFoundError('workspace', ref);
      return c.json(workspaceView(db, deps.scheduler, ws), 200);
    },
  );

  return app;
}
