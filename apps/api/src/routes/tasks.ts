import { createHash, randomUUID } from 'node:crypto';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import {
  ConflictError,
  isTerminal,
  MessageCreateSchema,
  newId,
  NotFoundError,
  OutputLineSchema,
  PayloadTooLargeError,
  TaskCreateSchema,
  TaskStatusSchema,
  TaskViewSchema,
  ValidationError,
  type TaskCreate,
  type TaskStatus,
} from '@switchyard/core';
import {
  findTask,
  findTaskByIdempotencyKey,
  findTeam,
  findWorkspace,
  listTasks,
  listWorkspaces,
  readOutput,
  tailOutput,
  writeAudit,
  type TaskRow,
} from '@switchyard/db';
import { assertCanWrite, assertVisible, canSee } from '../auth.ts';
import type { AppDeps, AppEnv, Principal } from '../context.ts';
import { taskView } from '../views.ts';
import { KEEP_ALIVE_MS, Waker } from '../waker.ts';
import { checkWorkdir } from '../workdir.ts';
import { ErrorResponses, jsonBody, validationHook } from './common.ts';

const TaskIdParam = z.object({ id: z.string().min(1).max(80) });

/** Finds a visible task or answers 404 (also for another team's task). */
export function visibleTask(deps: AppDeps, p: Principal, id: string): TaskRow {
  const task = findTask(deps.db.db, id);
  if (!task || !canSee(p, task.teamId)) throw new NotFoundError('task', id);
  return task;
}

function requestHash(body: unknown): string {
  return createHash('sha256').update(JSON.stringify(body)).digest('hex');
}

/** Resolves where a new task goes and checks the caller may put it there. */
function placeTask(deps: AppDeps, p: Principal, body: TaskCreate) {
  const db = deps.db.db;
  if (body.workspace) {
    const ws = findWorkspace(db, body.workspace);
    if (!ws || !canSee(p, ws.teamId)) throw new NotFoundError('workspace', body.workspace);
    if (body.team) {
      const team = findTeam(db, body.team);
      if (!team || team.id !== ws.teamId) {
        throw new ValidationError(`workspace ${ws.name} is not in team ${body.team}`, { field: 'team' });
      }
    }
    assertCanWrite(p, ws.teamId, 'workspace', body.workspace);
    return { teamId: ws.teamId, workspaceId: ws.id as string | null, roots: ws.workdirRoots };
  }
  if (body.team) {
    const team = findTeam(db, body.team);
    if (!team || !canSee(p, team.id)) throw new NotFoundError('team', body.team);
    assertCanWrite(p, team.id, 'team', body.team);
    const pool = listWorkspaces(db, team.id).filter((w) => w.pool);
    if (pool.length === 0) {
      throw new ValidationError(`team ${team.name} has no pool workspaces`, { field: 'team' });
    }
    return { teamId: team.id, workspaceId: null, roots: [...new Set(pool.flatMap((w) => w.workdirRoots))] };
  }
  if (p.defaultWorkspaceId) {
    return placeTask(deps, p, { ...body, workspace: p.defaultWorkspaceId });
  }
  throw new ValidationError('say where the task runs: "workspace" or "team"', { field: 'workspace' });
}

export function taskRoutes(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const db = deps.db.db;

  app.openapi(
    createRoute({
      method: 'post',
      path: '/tasks',
      summary: 'Create a task',
      description: 'Queues a task. With `Idempotency-Key`, the same key and body return the same task (200).',
      request: {
        body: jsonBody(TaskCreateSchema),
        headers: z.object({ 'idempotency-key': z.string().min(1).max(200).optional() }),
      },
      responses: {
        201: { description: 'Created', content: { 'application/json': { schema: TaskViewSchema } } },
        200: { description: 'The task an earlier request with this Idempotency-Key created', content: { 'application/json': { schema: TaskViewSchema } } },
        ...ErrorResponses,
      },
    }),
    async (c) => {
      const p = c.get('principal');
      const body = c.req.valid('json');
      const bytes = Buffer.byteLength(body.prompt, 'utf8');
      if (bytes > deps.config.maxPromptBytes) {
        throw new PayloadTooLargeError(`prompt is ${bytes} bytes, the limit is ${deps.config.maxPromptBytes}`, {
          field: 'prompt',
          limit: deps.config.maxPromptBytes,
        });
      }
      const key = c.req.valid('header')['idempotency-key'];
      const hash = requestHash(body);
      if (key) {
        const prior = findTaskByIdempotencyKey(db, p.tokenId, key);
        if (prior) {
          if (prior.requestHash !== hash) {
            throw new ConflictError('Idempotency-Key was already used with a different body', { taskId: prior.id });
          }
          return c.json(taskView(db, prior), 200);
        }
      }
      const place = placeTask(deps, p, body);
      const roots = place.roots;
      const workdir = checkWorkdir(body.workdir ?? roots[0]!, roots);
      const { workspace: _w, team: _t, prompt, priority, labels, maxDurationSec, idleTimeoutSec, workdir: _d, ...options } = body;
      const task = await deps.scheduler.createTask(
        {
          id: newId('tsk'),
          teamId: place.teamId,
          workspaceId: place.workspaceId,
          prompt,
          workdir,
          priority: priority ?? 0,
          labels: labels ?? {},
          options,
          maxDurationSec: maxDurationSec ?? null,
          idleTimeoutSec: idleTimeoutSec ?? null,
          sessionId: randomUUID(),
          idempotencyKey: key ?? null,
          requestHash: hash,
          createdBy: p.tokenId,
        },
        p.name,
      );
      writeAudit(db, { actor: p.name, teamId: task.teamId, action: 'task.created', targetType: 'task', targetId: task.id, details: { workspace: body.workspace ?? null, team: body.team ?? null } });
      return c.json(taskView(db, task), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/tasks',
      summary: 'List tasks, newest first',
      request: {
        query: z.strictObject({
          status: z.string().optional().openapi({ description: 'Comma-separated statuses' }),
          workspace: z.string().max(80).optional(),
          team: z.string().max(80).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(50),
          cursor: z.string().max(200).optional(),
        }),
      },
      responses: {
        200: {
          description: 'A page of tasks',
          content: { 'application/json': { schema: z.object({ tasks: z.array(TaskViewSchema), nextCursor: z.string().nullable() }) } },
        },
        ...ErrorResponses,
      },
    }),
    (c) => {
      const p = c.get('principal');
      const q = c.req.valid('query');
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
      const rows = listTasks(db, { teamId, workspaceId, statuses: statuses as TaskStatus[] | undefined, before, limit: q.limit + 1 });
      const page = rows.slice(0, q.limit);
      const last = page.at(-1);
      return c.json({
        tasks: page.map((t) => taskView(db, t)),
        nextCursor: rows.length > q.limit && last ? encodeCursor(last) : null,
      }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/tasks/{id}',
      summary: 'Get a task with its turns, result, cost and todo list',
      request: { params: TaskIdParam },
      responses: {
        200: { description: 'The task', content: { 'application/json': { schema: TaskViewSchema } } },
        ...ErrorResponses,
      },
    }),
    (c) => c.json(taskView(db, visibleTask(deps, c.get('principal'), c.req.valid('param').id)), 200),
  );

  app.openapi(
    createRoute({
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
    }),
    (c) => {
      const task = visibleTask(deps, c.get('principal'), c.req.valid('param').id);
      const { tail } = c.req.valid('query');
      const lines = tail ? tailOutput(db, task.id, task.lastSeq, tail) : readOutput(db, task.id, 0, task.lastSeq, 10_000_000);
      return c.text(lines.map((l) => `${l.line}\n`).join(''), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/tasks/{id}/events',
      summary: 'Output lines: a JSON page, or live with Accept: text/event-stream',
      description:
        'With `Accept: text/event-stream` streams every output line as event `line` with id = seq, status changes as `status`, and a final `end` when the task finishes. `Last-Event-ID` or `?after=` resumes with nothing missed or doubled.',
      request: {
        params: TaskIdParam,
        query: z.strictObject({
          after: z.coerce.number().int().min(0).optional(),
          limit: z.coerce.number().int().min(1).max(5000).default(1000),
        }),
      },
      responses: {
        200: {
          description: 'A page of output lines',
          content: {
            'application/json': {
              schema: z.object({ events: z.array(OutputLineSchema), nextAfter: z.number(), status: TaskStatusSchema, done: z.boolean() }),
            },
            'text/event-stream': { schema: z.string() },
          },
        },
        ...ErrorResponses,
      },
    }),
    async (c) => {
      const p = c.get('principal');
      const { id } = c.req.valid('param');
      const q = c.req.valid('query');
      const task = visibleTask(deps, p, id);
      const lastEventId = Number(c.req.header('last-event-id'));
      let after = q.after ?? (Number.isInteger(lastEventId) && lastEventId >= 0 ? lastEventId : 0);
      if (!(c.req.header('accept') ?? '').includes('text/event-stream')) {
        const events = readOutput(db, task.id, after, task.lastSeq, q.limit);
        const nextAfter = events.at(-1)?.seq ?? after;
        const done = isTerminal(task.status as TaskStatus) && nextAfter >= task.lastSeq;
        return c.json({ events, nextAfter, status: task.status as TaskStatus, done }, 200);
      }
      return streamSSE(c, async (stream) => {
        const hub = deps.scheduler.hub;
        const waker = new Waker();
        const poke = (): void => waker.poke();
        const onOutput = (e: { taskId: string }): void => { if (e.taskId === id) poke(); };
        const onTask = (t: TaskRow): void => { if (t.id === id) poke(); };
        hub.on('output', onOutput);
        hub.on('task', onTask);
        let closed = false;
        stream.onAbort(() => { closed = true; poke(); });
        let lastStatus = '';
        try {
          while (!closed) {
            const cur = findTask(db, id)!;
            for (;;) {
              const lines = readOutput(db, id, after, cur.lastSeq, 500);
              for (const l of lines) {
                await stream.writeSSE({ id: String(l.seq), event: 'line', data: JSON.stringify(l) });
                after = l.seq;
              }
              if (lines.length < 500) break;
            }
            if (cur.status !== lastStatus) {
              lastStatus = cur.status;
              await stream.writeSSE({ event: 'status', data: JSON.stringify({ status: cur.status, rateLimitedUntil: cur.rateLimitedUntil === null ? null : new Date(cur.rateLimitedUntil).toISOString() }) });
            }
            const finished = isTerminal(cur.status as TaskStatus) && after >= cur.lastSeq;
            if (finished) {
              await stream.writeSSE({ event: 'end', data: JSON.stringify(taskView(db, cur)) });
              break;
            }
            // Sleep until new output or a status change, or send a comment to keep proxies open.
            const woken = await waker.wait(KEEP_ALIVE_MS);
            if (!woken && !closed) await stream.write(': keep-alive\n\n');
          }
        } finally {
          hub.off('output', onOutput);
          hub.off('task', onTask);
        }
      });
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/tasks/{id}/messages',
      summary: 'Send a follow-up message (the next turn, with --resume)',
      request: { params: TaskIdParam, body: jsonBody(MessageCreateSchema) },
      responses: {
        202: { description: 'Queued as the next turn', content: { 'application/json': { schema: TaskViewSchema } } },
        ...ErrorResponses,
      },
    }),
    async (c) => {
      const p = c.get('principal');
      const { id } = c.req.valid('param');
      const { prompt } = c.req.valid('json');
      const task = visibleTask(deps, p, id);
      assertCanWrite(p, task.teamId, 'task', id);
      const bytes = Buffer.byteLength(prompt, 'utf8');
      if (bytes > deps.config.maxPromptBytes) {
        throw new PayloadTooLargeError(`prompt is ${bytes} bytes, the limit is ${deps.config.maxPromptBytes}`, { field: 'prompt', limit: deps.config.maxPromptBytes });
      }
      const row = await deps.scheduler.followUp(id, prompt, p.name);
      writeAudit(db, { actor: p.name, teamId: task.teamId, action: 'task.messaged', targetType: 'task', targetId: id, details: {} });
      return c.json(taskView(db, row), 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/tasks/{id}/kill',
      summary: 'Kill a task: cancelled if it never started, else SIGINT then SIGKILL after 10 s',
      request: { params: TaskIdParam },
      responses: {
        200: { description: 'The task after the request', content: { 'application/json': { schema: TaskViewSchema } } },
        ...ErrorResponses,
      },
    }),
    async (c) => {
      const p = c.get('principal');
      const { id } = c.req.valid('param');
      const task = visibleTask(deps, p, id);
      assertCanWrite(p, task.teamId, 'task', id);
      const row = await deps.scheduler.kill(id, p.name);
      writeAudit(db, { actor: p.name, teamId: task.teamId, action: 'task.killed', targetType: 'task', targetId: id, details: { status: row.status } });
      return c.json(taskView(db, row), 200);
    },
  );

  return app;
}

export function encodeCursor(t: TaskRow): string {
  return Buffer.from(`${t.createdAt}:${t.id}`).toString('base64url');
}

export function decodeCursor(cursor: string): { createdAt: number; id: string } {
  const [ts, id] = Buffer.from(cursor, 'base64url').toString().split(':');
  if (!ts || !id || !Number.isFinite(Number(ts))) throw new ValidationError('bad cursor', { field: 'cursor' });
  return { createdAt: Number(ts), id };
}

export { assertVisible };
