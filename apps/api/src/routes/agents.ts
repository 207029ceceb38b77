import { createRoute, z } from '@hono/zod-openapi';
import { AgentViewSchema } from '@switchyard/core';
import { listAgents, listWorkspaces } from '@switchyard/db';
import { canSee } from '../auth.ts';
import type { RouteDeps } from '../context.ts';
import { agentView } from '../views.ts';
import { ErrorResponses, ok, v1Router } from './openapi.ts';

/** `GET /v1/agents`: the agents of the workspaces the token may see. */
export function agentRoutes(deps: RouteDeps) {
  const app = v1Router();
  const db = deps.db.db;

  app.openapi(
    createRoute({ method: 'get', path: '/agents', summary: 'Agents with online state, last seen and readiness', responses: { 200: ok(z.object({ agents: z.array(AgentViewSchema) })), ...ErrorResponses } }),
    (c) => {
      const p = c.get('principal');
      const agents = listWorkspaces(db)
        .filter((w) => canSee(p, w.teamId))
        .flatMap((w) => listAgents(db, w.id).map((a) => agentView(a, w.name, deps.scheduler.isOnline(a))));
      return c.json({ agents }, 200);
    },
  );

  return app;
}
