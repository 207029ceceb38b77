import { createRoute, z } from '@hono/zod-openapi';
import { TaskViewSchema } from '@switchyard/core';
import { searchTasks } from '@switchyard/db';
import type { RouteDeps } from '../context.ts';
import { taskView } from '../views.ts';
import { ErrorResponses, ok, v1Router } from './openapi.ts';
import { encodeCursor, taskFilter } from './tasks.ts';

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
  description: 'Served from a SQLite FTS5 index over every prompt (first and follow-ups) and the result of every turn. Results and follow-ups are indexed as they are written; new tasks are indexed by the API on a timer, a few every 100 ms, and a search first indexes those still waiting, so it finds every task created before it. Filters and the cursor work as in `GET /tasks`.',
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
    const rows = searchTasks(db, { ...taskFilter(deps, c.get('principal'), q), text: q.q, limit: q.limit + 1 });
    const page = rows.slice(0, q.limit);
    const last = page.at(-1);
    return c.json({ tasks: page.map((t) => taskView(db, t)), nextCursor: rows.length > q.limit && last ? encodeCursor(last) : null }, 200);
  });
  return app;
}
