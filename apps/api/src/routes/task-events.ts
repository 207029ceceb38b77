import { createRoute, z } from '@hono/zod-openapi';
import type { SSEStreamingApi } from 'hono/streaming';
import { streamSSE } from 'hono/streaming';
import { isTerminal, OutputLineSchema, TaskStatusSchema, type OutputLine, type TaskStatus } from '@switchyard/core';
import { findTask, readOutput, type TaskRow } from '@switchyard/db';
import type { RouteDeps } from '../context.ts';
import { taskView } from '../views.ts';
import { KEEP_ALIVE_MS, Waker } from '../waker.ts';
import { ErrorResponses, TaskIdParam, v1Router } from './openapi.ts';

const PAGE = 500;

const EventsPage = z.object({ events: z.array(OutputLineSchema), nextAfter: z.number(), status: TaskStatusSchema, done: z.boolean() });

/** `GET /v1/tasks/{id}/events`: a JSON page of output lines, or all of them live over SSE. */
export function taskEventRoutes(deps: RouteDeps) {
  const app = v1Router();
  const db = deps.db.db;

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
          content: { 'application/json': { schema: EventsPage }, 'text/event-stream': { schema: z.string() } },
        },
        ...ErrorResponses,
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const task = deps.tasks.visibleTask(c.get('principal'), c.req.valid('param').id);
      const lastEventId = Number(c.req.header('last-event-id'));
      const after = q.after ?? (Number.isInteger(lastEventId) && lastEventId >= 0 ? lastEventId : 0);
      if (!(c.req.header('accept') ?? '').includes('text/event-stream')) {
        const events = readOutput(db, task.id, after, task.lastSeq, q.limit);
        const nextAfter = events.at(-1)?.seq ?? after;
        const done = isTerminal(task.status as TaskStatus) && nextAfter >= task.lastSeq;
        return c.json({ events, nextAfter, status: task.status as TaskStatus, done }, 200);
      }
      const release = deps.streams.acquire(c.get('principal').tokenId);
      return streamSSE(c, async (stream) => {
        try {
          await streamTask(deps, stream, task.id, after);
        } finally {
          release();
        }
      });
    },
  );

  return app;
}

/** SSE events for `lines`, in one string: one write per batch, not one per line. */
function lineEvents(lines: OutputLine[]): string {
  let out = '';
  for (const l of lines) out += `event: line\ndata: ${JSON.stringify(l)}\nid: ${l.seq}\n\n`;
  return out;
}

/**
 * Writes every line after `after`, each status change, and `end` once the task is finished and
 * all its output sent. Sleeps on the hub between changes; a keep-alive comment holds proxies.
 * New output is told by the hub and read from the task service's memory of the newest lines;
 * the row is re-read only when the task changed or nothing happened for a while.
 */
async function streamTask(deps: RouteDeps, stream: SSEStreamingApi, id: string, after: number): Promise<void> {
  const db = deps.db.db;
  const hub = deps.scheduler.hub;
  const waker = new Waker();
  let stale = true;
  let stored = 0;
  const onOutput = (e: { taskId: string; lastSeq: number }): void => {
    if (e.taskId !== id) return;
    stored = Math.max(stored, e.lastSeq);
    waker.poke();
  };
  const onTask = (t: TaskRow): void => {
    if (t.id !== id) return;
    stale = true;
    waker.poke();
  };
  hub.on('output', onOutput);
  hub.on('task', onTask);
  let closed = false;
  stream.onAbort(() => {
    closed = true;
    waker.poke();
  });
  let lastStatus = '';
  let cur = findTask(db, id)!;
  try {
    while (!closed) {
      if (stale) cur = findTask(db, id)!;
      stale = false;
      stored = Math.max(stored, cur.lastSeq);
      while (after < stored) {
        const lines = deps.tasks.output(id, after, stored, PAGE);
        if (lines.length === 0) break;
        await stream.write(lineEvents(lines));
        after = lines.at(-1)!.seq;
      }
      if (cur.status !== lastStatus) {
        lastStatus = cur.status;
        const rateLimitedUntil = cur.rateLimitedUntil === null ? null : new Date(cur.rateLimitedUntil).toISOString();
        await stream.writeSSE({ event: 'status', data: JSON.stringify({ status: cur.status, rateLimitedUntil }) });
      }
      if (isTerminal(cur.status as TaskStatus) && after >= cur.lastSeq) {
        await stream.writeSSE({ event: 'end', data: JSON.stringify(taskView(db, cur)) });
        break;
      }
      const woken = await waker.wait(KEEP_ALIVE_MS);
      if (!woken && !closed) {
        stale = true;
        await stream.write(': keep-alive\n\n');
      }
    }
  } finally {
    hub.off('output', onOutput);
    hub.off('task', onTask);
  }
}
