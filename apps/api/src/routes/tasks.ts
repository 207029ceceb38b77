import { createRoute, z } from '@hono/zod-openapi';
import {
  MessageCreateSchema,
  NotFoundError,
  TaskCreateSchema,
  TaskStatusSchema,
  TaskViewSchema,
  ValidationError,
  type TaskCreate,
  type TaskStatus,
  type TaskView,
} from '@switchyard/core';
import { findTeam, findWorkspace, firstTurnOf, listTasks, readOutput, tailOutput, type TaskRow } from '@switchyard/db';
import { canSee } from '../auth.ts';
import type { Principal, RouteDeps } from '../context.ts';
import { taskView } from '../views.ts';
import { ErrorResponses, jsonBody, ok, TaskIdParam, v1Router } from './openapi.ts';
import { taskEventRoutes } from './task-events.ts';

const ListQuery = z.strictObject({
  status: z.string().optional().openapi({ description: 'Comma-separated statuses' }),
  workspace: z.string().max(80).optional(),
  team: z.string().max(80).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional(),
});

/** The create's headers; checked the same way when Node serves it (native-create.ts). */
export const CreateHeaders = z.object({ 'idempotency-key': z.string().min(1).max(200).optional() });

const create = createRoute({
  method: 'post',
  path: '/tasks',
  summary: 'Create a task',
  description: 'Queues a task. With `Idempotency-Key`, the same key and body return the same task (200).',
  request: {
    body: jsonBody(TaskCreateSchema),
    headers: CreateHeaders,
  },
  responses: {
    201: ok(TaskViewSchema, 'Created'),
    200: ok(TaskViewSchema, 'The task an earlier request with this Idempotency-Key created'),
    ...ErrorResponses,
  },
});

const list = createRoute({
  method: 'get',
  path: '/tasks',
  summary: 'List tasks, newest first',
  request: { query: ListQuery },
  responses: {
    200: ok(z.object({ tasks: z.array(TaskViewSchema), nextCursor: z.string().nullable() }), 'A page of tasks'),
    ...ErrorResponses,
  },
});

const get = createRoute({
  method: 'get',
  path: '/tasks/{id}',
  summary: 'Get a task with its turns, result, cost and todo list',
  request: { params: TaskIdParam },
  responses: { 200: ok(TaskViewSchema, 'The task'), ...ErrorResponses },
});

const output = createRoute({
  method: 'get',
  path: '/tasks/{id}/output',
  summary: 'Raw stream-json output, one line per output line, in order',
  request: {
    params: TaskIdParam,
    query: z.strictObject({ tail: z.coerce.number().int().min(1).max(100_000).optional() }),
  },
  responses: {
    200: { description: 'Output lines', content: { 'text/plain': { schema: z.string() } } },
    ...ErrorResponses,
  },
});

const message = createRoute({
  method: 'post',
  path: '/tasks/{id}/messages',
  summary: 'Send a follow-up message (the next turn, with --resume)',
  request: { params: TaskIdParam, body: jsonBody(MessageCreateSchema) },
  responses: { 202: ok(TaskViewSchema, 'Queued as the next turn'), ...ErrorResponses },
});

const kill = createRoute({
  method: 'post',
  path: '/tasks/{id}/kill',
  summary: 'Kill a task: cancelled if it never started, else SIGINT then SIGKILL after 10 s',
  request: { params: TaskIdParam },
  responses: { 200: ok(TaskViewSchema, 'The task after the request'), ...ErrorResponses },
});

/** `/v1/tasks`: create, list, get, output, follow-up, kill; events live in task-events.ts. */
export function taskRoutes(deps: RouteDeps) {
  const app = v1Router();
  const { tasks } = deps;
  const db = deps.db.db;

  app.openapi(create, async (c) => {
    const { status, view } = await createTask(deps, c.get('principal'), c.req.valid('json'), c.req.valid('header')['idempotency-key']);
    return c.json(view, status);
  });

  app.openapi(list, (c) => {
    const q = c.req.valid('query');
    const rows = listTasks(db, { ...taskFilter(deps, c.get('principal'), q), limit: q.limit + 1 });
    const page = rows.slice(0, q.limit);
    const last = page.at(-1);
    const nextCursor = rows.length > q.limit && last ? encodeCursor(last) : null;
    return c.json({ tasks: page.map((t) => taskView(db, t)), nextCursor }, 200);
  });

  app.openapi(get, (c) => c.json(taskView(db, tasks.visibleTask(c.get('principal'), c.req.valid('param').id)), 200));

  app.openapi(output, (c) => {
    const task = tasks.visibleTask(c.get('principal'), c.req.valid('param').id);
    const { tail } = c.req.valid('query');
    const lines = tail ? tailOutput(db, task.id, task.lastSeq, tail) : readOutput(db, task.id, 0, task.lastSeq, 10_000_000);
    return c.text(lines.map((l) => `${l.line}\n`).join(''), 200);
  });

  app.route('/', taskEventRoutes(deps));

  app.openapi(message, async (c) => {
    const row = await tasks.followUp(c.get('principal'), c.req.valid('param').id, c.req.valid('json').prompt);
    return c.json(taskView(db, row), 202);
  });

  app.openapi(kill, async (c) => {
    const row = await tasks.kill(c.get('principal'), c.req.valid('param').id);
    return c.json(taskView(db, row), 200);
  });

  return app;
}

/**
 * A create's answer, whichever server took it (Hono's route or native-create.ts): 201 and the new
 * task, or 200 and the task an earlier request with the same Idempotency-Key created.
 */
export async function createTask(
  deps: Pick<RouteDeps, 'tasks' | 'db'>,
  principal: Principal,
  body: TaskCreate,
  idempotencyKey: string | undefined,
): Promise<{ status: 200 | 201; view: TaskView }> {
  const db = deps.db.db;
  const { task, replayed } = await deps.tasks.create(principal, body, { idempotencyKey });
  return replayed ? { status: 200, view: taskView(db, task) } : { status: 201, view: taskView(db, task, [firstTurnOf(task)]) };
}

/**
 * A task list's filters, shared by the list and the search: the caller's team unless admin;
 * named teams and workspaces must be visible to the caller; the cursor decoded.
 */
export function taskFilter(
  deps: RouteDeps,
  p: Principal,
  q: { status?: string; team?: string; workspace?: string; cursor?: string },
) {
  const db = deps.db.db;
  const statuses = q.status ? q.status.split(',').map((s) => s.trim()) : undefined;
  const badStatus = statuses?.find((s) => !TaskStatusSchema.safeParse(s).success);
  if (badStatus) throw new ValidationError(`unknown status ${badStatus}`, { field: 'status' });
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
  const before = q.cursor ? decodeCursor(q.cursor) : undefined;
  return { teamId, workspaceId, statuses: statuses as TaskStatus[] | undefined, before };
}

export function encodeCursor(t: TaskRow): string {
  return Buffer.from(`${t.createdAt}:${t.id}`).toString('base64url');
}

export function decodeCursor(cursor: string): { createdAt: number; id: string } {
  const [ts, id] = Buffer.from(cursor, 'base64url').toString().split(':');
  if (!ts || !id || !Number.isFinite(Number(ts))) throw new ValidationError('bad cursor', { field: 'cursor' });
  return { createdAt: Number(ts), id };
}
