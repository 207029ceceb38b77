import { createRoute, z } from '@hono/zod-openapi';
import { TaskViewSchema, ValidationError } from '@switchyard/core';
import { SEARCH_BUDGET, searchTasks } from '@switchyard/db';
import type { RouteDeps } from '../context.ts';
import { taskView } from '../views.ts';
import { ErrorResponses, ok, v1Router } from './openapi.ts';
import { taskFilter } from './tasks.ts';

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
  description: `Served from a SQLite FTS5 index over every prompt (first and follow-ups) and the result of every turn. Results and follow-ups are indexed as they are written; new tasks are indexed by the API on a timer, a few every 100 ms, and a search first indexes those still waiting, so it finds every task created before it. Filters work as in \`GET /tasks\`. A page costs the same however many tasks match: it reads at most ${SEARCH_BUDGET.toLocaleString('en')} matches, so when the filters pass few of them it may hold fewer than \`limit\` tasks, or none, and still carry a \`nextCursor\`. The search has ended only when \`nextCursor\` is null.`,
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
    const { cursor, ...q } = c.req.valid('query');
    const before = cursor ? decodeSearchCursor(cursor) : undefined;
    const page = searchTasks(db, { ...taskFilter(deps, c.get('principal'), q), before, text: q.q, limit: q.limit });
    return c.json({ tasks: page.rows.map((t) => taskView(db, t)), nextCursor: page.next === null ? null : encodeSearchCursor(page.next) }, 200);
  });
  return app;
}

/** Where a page of a search stopped in the index; opaque to clients, and not a listing's cursor. */
const encodeSearchCursor = (next: number): string => Buffer.from(`search:${next}`).toString('base64url');

function decodeSearchCursor(cursor: string): number {
  const m = /^search:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m) throw new ValidationError('bad cursor', { field: 'cursor' });
  return Number(m[1]);
}
