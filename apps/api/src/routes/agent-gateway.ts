import { Hono, type Context } from 'hono';
import {
  AgentRegisterSchema,
  AgentTooOldError,
  EventsBatchSchema,
  protocolProblem,
  supportedProtocolVersions,
  TurnFinishedSchema,
  TurnStartedSchema,
  type AgentRegisterResponse,
  TurnNotCurrentError,
} from '@switchyard/core';
import { findWorkspace, upsertAgent } from '@switchyard/db';
import { authenticate } from '../auth.ts';
import type { AppEnv, RouteDeps } from '../context.ts';
import { readJson } from '../validation.ts';
import { agentApprovalRoutes } from './agent-approvals.ts';
import { syncRoute } from './agent-sync.ts';

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
    // What the agent can do may have changed (its problems, its slots): its syncs look again.
    scheduler.hub.emit('wake', ws.id);
    c.get('logger').info({ agentId: agent.id, hostname: body.hostname, protocolVersion: body.protocolVersion ?? '1.0', problems: body.problems, simulated: body.simulated }, 'agent registered');
    const res: AgentRegisterResponse = { agentId: agent.id, workspace: { id: ws.id, name: ws.name }, graceSec: scheduler.config.graceSec };
    return c.json(res);
  });

  app.post('/sync', syncRoute(deps));
  app.route('/', agentApprovalRoutes(deps));

  app.post('/tasks/:id/events', async (c) => {
    const body = await readJson(c, EventsBatchSchema);
    return c.json({ ackSeq: await tasks.ingestOutput(workspaceOf(c), c.req.param('id'), body) });
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
