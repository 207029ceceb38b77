import { z } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import { findWorkspace, workspaceName, type ApprovalRow, type TaskRow } from '@switchyard/db';
import { approvalView } from '../approvals/view.ts';
import { canSee } from '../auth.ts';
import type { RouteDeps } from '../context.ts';
import { KEEP_ALIVE_MS, Waker } from '../waker.ts';
import { ErrorResponses, v1Router } from './openapi.ts';

const EXAMPLE = [
  'event: ready\ndata: {}\n',
  'event: task\ndata: {"id":"tsk_0mwx3m90kffef46dbd4","status":"running","workspace":"payments-api","exitCode":null,"rateLimitedUntil":null}\n',
  'event: agent\ndata: {"id":"agt_0mwx3m8ype0e5627d23","workspace":"payments-api","online":false}\n',
  'event: rate_limit\ndata: {"workspace":"payments-api","rateLimitedUntil":"2026-11-26T06:00:00.000Z"}\n',
  'event: approval\ndata: {"id":"apr_0mwx3m90kffef46dbd5","taskId":"tsk_0mwx3m90kffef46dbd4","toolName":"Bash","status":"pending","…":"the whole approval"}\n',
].join('\n');

/**
 * `GET /v1/events`: fleet changes as server-sent events — `task` (status changes), `agent`
 * (online/offline), `workspace` (rate limits), `approval` (made or answered, the whole approval)
 * — limited to the teams the token may see.
 */
export function fleetEventRoutes(deps: RouteDeps) {
  const app = v1Router();
  const db = deps.db.db;
  // Documented, not validated: a stream with no parameters, answered by the handler below.
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/events',
    summary: 'Fleet changes live (server-sent events): task status, agents online, rate limits, approvals',
    responses: {
      200: { description: 'An event stream; `: keep-alive` comments between events', content: { 'text/event-stream': { schema: z.string(), example: EXAMPLE } } },
      ...ErrorResponses,
    },
  });
  app.get('/events', (c) => {
    const p = c.get('principal');
    const release = deps.streams.acquire(p.tokenId);
    return streamSSE(c, async (stream) => {
      const hub = deps.scheduler.hub;
      const queue: { event: string; data: unknown }[] = [];
      const waker = new Waker();
      const push = (event: string, data: unknown): void => {
        queue.push({ event, data });
        waker.poke();
      };
      const lastStatus = new Map<string, string>();
      const onTask = (t: TaskRow): void => {
        if (!canSee(p, t.teamId) || lastStatus.get(t.id) === t.status) return;
        lastStatus.set(t.id, t.status);
        const workspace = t.workspaceId ? (workspaceName(db, t.workspaceId) ?? null) : null;
        push('task', { id: t.id, status: t.status, workspace, exitCode: t.exitCode, rateLimitedUntil: t.rateLimitedUntil === null ? null : new Date(t.rateLimitedUntil).toISOString() });
      };
      const onAgent = (a: { agentId: string; workspaceId: string; online: boolean }): void => {
        const ws = findWorkspace(db, a.workspaceId);
        if (ws && canSee(p, ws.teamId)) push('agent', { id: a.agentId, workspace: ws.name, online: a.online });
      };
      const onWorkspace = (w: { workspaceId: string; teamId: string; rateLimitedUntil: number | null }): void => {
        const ws = findWorkspace(db, w.workspaceId);
        if (ws && canSee(p, w.teamId)) push('rate_limit', { workspace: ws.name, rateLimitedUntil: w.rateLimitedUntil === null ? null : new Date(w.rateLimitedUntil).toISOString() });
      };
      const onApproval = (a: ApprovalRow): void => {
        if (canSee(p, a.teamId)) push('approval', approvalView(db, a));
      };
      hub.on('task', onTask);
      hub.on('approval', onApproval);
      hub.on('agent', onAgent);
      hub.on('workspace', onWorkspace);
      let closed = false;
      stream.onAbort(() => {
        closed = true;
        waker.poke();
      });
      try {
        await stream.writeSSE({ event: 'ready', data: '{}' });
        while (!closed) {
          while (queue.length) {
            const { event, data } = queue.shift()!;
            await stream.writeSSE({ event, data: JSON.stringify(data) });
          }
          const woken = await waker.wait(KEEP_ALIVE_MS);
          if (!woken && !closed) await stream.write(': keep-alive\n\n');
        }
      } finally {
        hub.off('task', onTask);
        hub.off('approval', onApproval);
        hub.off('agent', onAgent);
        hub.off('workspace', onWorkspace);
        release();
      }
    });
  });
  return app;
}
