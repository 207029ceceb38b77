import { Hono, type Context } from 'hono';
import {
  AgentRegisterSchema,
  AgentTooOldError,
  AgentUnknownError,
  EventsBatchSchema,
  protocolProblem,
  supportedProtocolVersions,
  SyncRequestSchema,
  TurnFinishedSchema,
  TurnStartedSchema,
  type AgentRegisterResponse,
  type SyncResponse,
} from '@switchyard/core';
import { findAgent, findWorkspace, touchAgent, upsertAgent } from '@switchyard/db';
import { authenticate } from '../auth.ts';
import type { AppEnv, RouteDeps } from '../context.ts';
import { readJson } from '../validation.ts';

/** The workspace an agent token acts for: its only one. */
const workspaceOf = (c: Context<AppEnv>): string => c.get('principal').workspaceId!;

/** `/agent/v1`: the only door agents have. An agent token acts for its own workspace only. */
export function agentGatewayRoutes(deps: RouteDeps) {
  const app = new Hono<AppEnv>();
  const { db: h, scheduler, tasks } = deps;
  const db = h.db;
  app.use('*', authenticate(db, 'agent'));

  app.post('/register', async (c) => {
    const body = await readJson(c, AgentRegisterSchema);
    const problem = protocolProblem(body.protocolVersion);
    if (problem) {
      const protocolVersion = body.protocolVersion ?? '1.0';
      c.get('logger').warn({ hostname: body.hostname, agentVersion: body.agentVersion, protocolVersion }, `agent refused: ${problem}`);
      throw new AgentTooOldError(problem, { protocolVersion, supported: supportedProtocolVersions() });
    }
    const ws = findWorkspace(db, workspaceOf(c))!;
    const agent = upsertAgent(db, ws.id, body);
    scheduler.hub.emit('agent', { agentId: agent.id, workspaceId: ws.id, online: true });
    c.get('logger').info({ agentId: agent.id, hostname: body.hostname, protocolVersion: body.protocolVersion ?? '1.0', problems: body.problems, simulated: body.simulated }, 'agent registered');
    const res: AgentRegisterResponse = { agentId: agent.id, workspace: { id: ws.id, name: ws.name }, graceSec: scheduler.config.graceSec };
    return c.json(res);
  });

  app.post('/sync', async (c) => {
    const body = await readJson(c, SyncRequestSchema);
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
    const body = await readJson(c, EventsBatchSchema);
    return c.json({ ackSeq: tasks.ingestOutput(workspaceOf(c), c.req.param('id'), body) });
  });

  app.post('/tasks/:id/started', async (c) => {
    const body = await readJson(c, TurnStartedSchema);
    const task = tasks.agentTask(workspaceOf(c), c.req.param('id'));
    scheduler.turnStarted(task.agentId ?? '', task.id, body.turn);
    return c.json({ ok: true });
  });

  app.post('/tasks/:id/finished', async (c) => {
    const body = await readJson(c, TurnFinishedSchema);
    const task = tasks.agentTask(workspaceOf(c), c.req.param('id'));
    const row = await scheduler.turnFinished(task.agentId ?? '', task.id, body);
    return c.json({ ok: true, status: row.status });
  });

  return app;
}
