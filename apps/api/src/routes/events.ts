import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { findWorkspace, type TaskRow } from '@switchyard/db';
import { canSee } from '../auth.ts';
import type { AppEnv, RouteDeps } from '../context.ts';
import { KEEP_ALIVE_MS, Waker } from '../waker.ts';

/**
 * `GET /v1/events`: fleet changes as server-sent events — `task` (status changes), `agent`
 * (online/offline), `workspace` (rate limits) — limited to the teams the token may see.
 */
export function fleetEventRoutes(deps: RouteDeps) {
  const app = new Hono<AppEnv>();
  const db = deps.db.db;
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
        const ws = t.workspaceId ? findWorkspace(db, t.workspaceId) : undefined;
        push('task', { id: t.id, status: t.status, workspace: ws?.name ?? null, exitCode: t.exitCode, rateLimitedUntil: t.rateLimitedUntil === null ? null : new Date(t.rateLimitedUntil).toISOString() });
      };
      const onAgent = (a: { agentId: string; workspaceId: string; online: boolean }): void => {
        const ws = findWorkspace(db, a.workspaceId);
        if (ws && canSee(p, ws.teamId)) push('agent', { id: a.agentId, workspace: ws.name, online: a.online });
      };
      const onWorkspace = (w: { workspaceId: string; teamId: string; rateLimitedUntil: number | null }): void => {
        const ws = findWorkspace(db, w.workspaceId);
        if (ws && canSee(p, w.teamId)) push('rate_limit', { workspace: ws.name, rateLimitedUntil: w.rateLimitedUntil === null ? null : new Date(w.rateLimitedUntil).toISOString() });
      };
      hub.on('task', onTask);
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
        hub.off('agent', onAgent);
        hub.off('workspace', onWorkspace);
        release();
      }
    });
  });
  return app;
}
