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
  type AgentCommand,
  type AgentRegisterResponse,
  type RunningTurn,
  type SyncResponse,
  TurnNotCurrentError,
} from '@switchyard/core';
import { findAgent, findTask, findWorkspace, touchAgent, upsertAgent } from '@switchyard/db';
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
  app.use('*', authenticate(db, 'agent', deps.authGuard));

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

  /**
   * An agent's turns split into its workspace's tasks and the rest. The rest — another
   * workspace's task or none at all — get one and the same answer, so a sync reveals nothing
   * about tasks that are not the agent's.
   */
  const splitRunning = (workspaceId: string, running: RunningTurn[]): { own: RunningTurn[]; strangers: AgentCommand[] } => {
    const own: RunningTurn[] = [];
    const strangers: AgentCommand[] = [];
    for (const r of running) {
      if (findTask(db, r.taskId)?.workspaceId === workspaceId) own.push(r);
      else strangers.push({ type: 'abandon', taskId: r.taskId, reason: 'unknown task' });
    }
    return { own, strangers };
  };

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
      const { own, strangers } = splitRunning(workspaceId, body.running);
      const commands = [...(await scheduler.heartbeat(agent.id, own, startedAt)), ...strangers];
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

  /**
   * The workspace's token is shared by its agents, so a report names its lease: one from an agent
   * whose lease was taken back and given to another (a partition, a slow restart) is refused and
   * the agent stops that turn. A 1.0 agent sends no lease token and is taken at its word.
   */
  const assertLease = (task: { id: string; leaseToken: string | null }, turn: number, leaseToken: string | undefined) => {
    if (leaseToken !== undefined && task.leaseToken !== null && leaseToken !== task.leaseToken) throw new TurnNotCurrentError(task.id, turn);
  };

  app.post('/tasks/:id/started', async (c) => {
    const body = await readJson(c, TurnStartedSchema);
    const task = tasks.agentTask(workspaceOf(c), c.req.param('id'));
    assertLease(task, body.turn, body.leaseToken);
    scheduler.turnStarted(task.agentId ?? '', task.id, body.turn);
    return c.json({ ok: true });
  });

  app.post('/tasks/:id/finished', async (c) => {
    const body = await readJson(c, TurnFinishedSchema);
    const task = tasks.agentTask(workspaceOf(c), c.req.param('id'));
    assertLease(task, body.turn, body.leaseToken);
    const row = await scheduler.turnFinished(task.agentId ?? '', task.id, body);
    return c.json({ ok: true, status: row.status });
  });

  return app;
}
