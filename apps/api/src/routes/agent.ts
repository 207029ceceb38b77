import { Hono } from 'hono';
import {
  AgentRegisterSchema,
  EventsBatchSchema,
  NotFoundError,
  SwitchyardError,
  SyncRequestSchema,
  TurnFinishedSchema,
  TurnStartedSchema,
  type AgentRegisterResponse,
  type SyncResponse,
} from '@switchyard/core';
import { appendOutput, findAgent, findTask, findWorkspace, touchAgent, upsertAgent, type TaskRow } from '@switchyard/db';
import { authenticate } from '../auth.ts';
import { parseJson } from '../body.ts';
import type { AppDeps, AppEnv } from '../context.ts';

class AgentUnknownError extends SwitchyardError {
  constructor(id: string) {
    super('agent_unknown', 404, `agent ${id} is not registered for this workspace; register again`);
  }
}

/** `/agent/v1`: the only door agents have. An agent token acts for its own workspace only. */
export function agentRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  const { db: h, scheduler } = deps;
  const db = h.db;
  app.use('*', authenticate(db, 'agent'));

  const workspaceOf = (c: { get(k: 'principal'): { workspaceId: string | null } }): string => c.get('principal').workspaceId!;

  /** The agent's own task, or 404: a token never reaches another workspace's task. */
  function ownTask(workspaceId: string, taskId: string): TaskRow {
    const task = findTask(db, taskId);
    if (!task || task.workspaceId !== workspaceId) throw new NotFoundError('task', taskId);
    return task;
  }

  app.post('/register', async (c) => {
    const body = await parseJson(c, AgentRegisterSchema);
    const ws = findWorkspace(db, workspaceOf(c))!;
    const agent = upsertAgent(db, ws.id, body);
    scheduler.hub.emit('agent', { agentId: agent.id, workspaceId: ws.id, online: true });
    c.get('logger').info({ agentId: agent.id, hostname: body.hostname, problems: body.problems, simulated: body.simulated }, 'agent registered');
    const res: AgentRegisterResponse = { agentId: agent.id, workspace: { id: ws.id, name: ws.name }, graceSec: scheduler.config.graceSec };
    return c.json(res);
  });

  app.post('/sync', async (c) => {
    const body = await parseJson(c, SyncRequestSchema);
    const workspaceId = workspaceOf(c);
    const agent = findAgent(db, body.agentId);
    if (!agent || agent.workspaceId !== workspaceId) throw new AgentUnknownError(body.agentId);
    const wasLost = agent.lostAt !== null;
    const startedAt = Date.now();
    const deadline = startedAt + body.waitMs;
    const signal = c.req.raw.signal;
    for (;;) {
      touchAgent(db, agent.id, body.freeSlots);
      if (wasLost) scheduler.hub.emit('agent', { agentId: agent.id, workspaceId, online: true });
      const commands = await scheduler.heartbeat(agent.id, body.running, startedAt);
      const leases = body.freeSlots > 0 ? await scheduler.lease(agent.id, body.freeSlots) : [];
      const left = deadline - Date.now();
      if (commands.length > 0 || leases.length > 0 || left <= 0 || signal.aborted) {
        const res: SyncResponse = { leases, commands };
        return c.json(res);
      }
      // Wake on new work or a kill; re-check now and then for delayed jobs coming due.
      await scheduler.hub.waitForWake(workspaceId, Math.min(left, 2_000), signal);
    }
  });

  app.post('/tasks/:id/events', async (c) => {
    const body = await parseJson(c, EventsBatchSchema);
    const task = ownTask(workspaceOf(c), c.req.param('id'));
    const ackSeq = h.tx(() => appendOutput(db, task.id, body.turn, body.lines, findTask(db, task.id)!.lastSeq));
    if (ackSeq > task.lastSeq) scheduler.hub.emit('output', { taskId: task.id, lastSeq: ackSeq });
    return c.json({ ackSeq });
  });

  app.post('/tasks/:id/started', async (c) => {
    const body = await parseJson(c, TurnStartedSchema);
    const task = ownTask(workspaceOf(c), c.req.param('id'));
    const agentId = task.agentId ?? '';
    scheduler.turnStarted(agentId, task.id, body.turn);
    return c.json({ ok: true });
  });

  app.post('/tasks/:id/finished', async (c) => {
    const body = await parseJson(c, TurnFinishedSchema);
    const task = ownTask(workspaceOf(c), c.req.param('id'));
    const row = await scheduler.turnFinished(task.agentId ?? '', task.id, body);
    return c.json({ ok: true, status: row.status });
  });

  return app;
}
