import { createRoute, z } from '@hono/zod-openapi';
import { NotFoundError, TaskStatusSchema, TaskViewSchema, ValidationError, type TaskStatus } from '@switchyard/core';
import { findTeam, findWorkspace, searchTasks } from '@switchyard/db';
import { canSee } from '../auth.ts';
import type { Principal, RouteDeps } from '../context.ts';
import { taskView } from '../views.ts';
import { ErrorResponses, ok, v1Router } from './openapi.ts';
import { decodeCursor, encodeCursor } from './tasks.ts';

const SearchQuery = z.strictObject({
  q: z.string().min(1).max(500).openapi({ description: 'Words that must all appear in a prompt or result (the last one as a prefix)' }),
  status: z.string().optional().openapi({ description: 'Comma-separated statuses' }),
  workspace: z.string().max(80).optional(),
  team: z.string().max(80).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

const search = createRoute({
  method: 'get',
  path: '/search/tasks',
  summary: 'Search tasks by the text of their prompts and results, newest first',
  description: 'Served from a SQLite FTS5 index kept in step with every task by triggers; filters and the cursor work as in `GET /tasks`.',
  request: { query: SearchQuery },
  responses: {
    200: ok(z.object({ tasks: z.array(TaskViewSchema), nextCursor: z.string().nullable() }), 'A page of matching tasks'),
    ...ErrorResponses,
  },
});

/** `GET /v1/search/tasks`: full-text search over prompts and results, scoped to the token's team. */
export function searchRoutes(deps: RouteDeps) {
  const app = v1Router();
  const db = deps.db.db;
  app.openapi(search, (c) => {
    const q = c.req.valid('query');
    const scope = scopeOf(deps, c.get('principal'), q);
    const rows = searchTasks(db, { ...scope, text: q.q, limit: q.limit + 1, before: q.cursor ? decodeCursor(q.cursor) : undefined });
    const page = rows.slice(0, q.limit);
    const last = page.at(-1);
    return c.json({ tasks: page.map((t) => taskView(db, t)), nextCursor: rows.length > q.limit && last ? encodeCursor(last) : null }, 200);
  });
  return app;
}

/** The caller's team unless admin; a named team or workspace must be visible to the caller. */
function scopeOf(deps: RouteDeps, p: Principal, q: z.infer<typeof SearchQuery>) {
  const db = deps.db.db;
  const statuses = q.status ? q.status.split(',').map((s) => s.trim()) : undefined;
  const bad = statuses?.find((s) => !TaskStatusSchema.safeParse(s).success);
  if (bad) throw new ValidationError(`unknown status ${bad}`, { field: 'status' });
  let teamId = p.role === 'admin' ? undefined : (p.teamId ?? '-');
  if (q.team) {
    const team = findTeam(db, q.team);
    if (!team || !canSee(p, team.id)) throw new NotFoundError('team', q.team);
    teamId = team.id;
  }
  let workspaceId: string | undefined;
  if (q.workspace) {
    const ws = findWorkspace(db, q.workspace);
    if (!ws || !canSee(p, ws.teamId)) throw new NotFoundError('workspace', q.workspace);
    workspaceId = ws.id;
  }
  return { teamId, workspaceId, statuses: statuses as TaskStatus[] | undefined };
}
