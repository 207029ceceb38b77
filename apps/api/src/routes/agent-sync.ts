import type { Context } from 'hono';
import {
  AgentUnknownError,
  SyncRequestSchema,
  type AgentCommand,
  type Lease,
  type RunningTurn,
  type SyncRequest,
  type SyncResponse,
} from '@switchyard/core';
import { findAgent, findTask, findWorkspaceSettings, listAgentTasks, touchAgentSeen, type AgentRow } from '@switchyard/db';
import type { WakeMark } from '@switchyard/scheduler';
import type { AppEnv, RouteDeps } from '../context.ts';
import { readJson } from '../validation.ts';
import { clientGone } from '../client-gone.ts';

/** An agent whose last sync looked, found nothing and ended quiet: what it looked at, and when. */
interface Quiet {
  mark: WakeMark;
  poolOf: string | null;
  freeSlots: number;
  lookedAt: number;
}

/** However quiet, an agent's sync looks at its queues at least this often. */
const QUIET_LOOK_EVERY_MS = 60_000;

const sameMark = (a: WakeMark, b: WakeMark): boolean => a.workspace === b.workspace && a.pool === b.pool;

/**
 * How long an empty long-poll waits: what the agent asked, less a random part. Agents that
 * connect together (after an API restart, a fleet rollout) would otherwise come back together
 * every wait, thousands in the same second. The first wait of an agent not known to be quiet
 * (new to this API process, or busy since) ends anywhere in its second half, which spreads a
 * herd over half the wait at once; later ones lose up to a fifth (at most 5 s), so a spread
 * fleet stays spread. Early is within the protocol: an empty answer.
 */
export const jitteredWait = (waitMs: number, first: boolean, random = Math.random()): number =>
  waitMs - Math.floor(random * (first ? waitMs / 2 : Math.min(waitMs / 5, 5_000)));

/**
 * `POST /agent/v1/sync`, the agents' long-poll. It looks (heartbeat, then leases) when it starts
 * and whenever an event for its workspace wakes it — new work, a kill, pool work while it is idle
 * in a pool — never on a timer. A sync that follows a quiet one with nothing new since (no wake,
 * no turn, the same free slots) does not look again: an idle fleet costs a few reads per sync.
 */
export function syncRoute(deps: RouteDeps) {
  const { db: h, scheduler } = deps;
  const db = h.db;
  const { hub } = scheduler;
  const graceMs = scheduler.config.graceSec * 1000;
  // Last-seen is written at most this often while nothing changes: an idle fleet does not write
  // SQLite on every long-poll, and an agent is still seen well within its grace period.
  const touchEveryMs = Math.min(5_000, graceMs / 6);
  // The longest wait between looks: the locks of running leases are kept well within grace.
  const safetyWaitMs = graceMs / 3;
  const quiet = new Map<string, Quiet>();

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

  /** One look: the agent's heartbeat, then leases for its free slots. */
  const look = async (agent: AgentRow, body: SyncRequest, startedAt: number): Promise<{ commands: AgentCommand[]; leases: Lease[] }> => {
    const { own, strangers } = splitRunning(agent.workspaceId, body.running);
    const commands = [...(await scheduler.heartbeat(agent.id, own, startedAt)), ...strangers];
    const leases = body.freeSlots > 0 ? await scheduler.lease(agent.id, body.freeSlots) : [];
    return { commands, leases };
  };

  /** Records that the agent was heard from, unless that was just done and nothing changed. */
  const seen = (agent: AgentRow, freeSlots: number): void => {
    const now = Date.now();
    const lost = agent.lostAt !== null;
    if (!lost && agent.freeSlots === freeSlots && now - agent.lastSeenAt < touchEveryMs) return;
    if (lost || now - agent.lastSeenAt >= graceMs / 2) {
      // Leasing reads the row: an agent taken for lost, or nearly, is back before it looks.
      touchAgentSeen(db, agent.id, freeSlots, now);
    } else {
      // Committed with the other writes of this moment: a fleet's syncs come in waves.
      h.grouped(() => touchAgentSeen(db, agent.id, freeSlots, now)).catch((err: unknown) => deps.logger.warn({ err, agentId: agent.id }, 'could not note when the agent was seen'));
    }
    if (lost) hub.emit('agent', { agentId: agent.id, workspaceId: agent.workspaceId, online: true });
    Object.assign(agent, { lastSeenAt: now, freeSlots, lostAt: null });
  };

  /** Whether this sync may skip its first look: its last one found nothing, and nothing happened since. */
  const stillQuiet = (agent: AgentRow, body: SyncRequest, poolOf: string | null): Quiet | null => {
    const q = quiet.get(agent.id);
    quiet.delete(agent.id);
    if (!q || body.running.length > 0 || agent.lostAt !== null) return null;
    if (q.freeSlots !== body.freeSlots || q.poolOf !== poolOf || Date.now() - q.lookedAt >= QUIET_LOOK_EVERY_MS) return null;
    return sameMark(q.mark, hub.wakeMark(agent.workspaceId, poolOf)) ? q : null;
  };

  return async (c: Context<AppEnv>) => {
    const body = await readJson(c, SyncRequestSchema);
    const workspaceId = c.get('principal').workspaceId!;
    const agent = findAgent(db, body.agentId);
    if (!agent || agent.workspaceId !== workspaceId) throw new AgentUnknownError(body.agentId);
    // A pool workspace with free slots is one of those a pool task may wake. Read again at each
    // look: an admin may make the workspace a pool member (or take it out) while the sync waits.
    const poolNow = (): string | null => {
      const ws = findWorkspaceSettings(db, workspaceId);
      return ws?.pool && body.freeSlots > 0 ? ws.teamId : null;
    };
    let poolOf = poolNow();
    const startedAt = Date.now();
    const signal = clientGone(c);
    const deadline = startedAt + jitteredWait(body.waitMs, !quiet.has(agent.id));
    const skipped = stillQuiet(agent, body, poolOf);
    let last = skipped ?? { mark: hub.wakeMark(workspaceId, poolOf), poolOf, freeSlots: body.freeSlots, lookedAt: 0 };
    seen(agent, body.freeSlots);
    for (let first = true; ; first = false) {
      if (!(first && skipped)) {
        poolOf = poolNow();
        last = { ...last, mark: hub.wakeMark(workspaceId, poolOf), poolOf, lookedAt: Date.now() };
        if (!first) seen(agent, body.freeSlots);
        const { commands, leases } = await look(agent, body, startedAt);
        if (commands.length > 0 || leases.length > 0 || deadline <= Date.now() || signal.aborted) {
          return c.json({ leases, commands } satisfies SyncResponse);
        }
      }
      const left = deadline - Date.now();
      const woken = await hub.waitForWake(workspaceId, Math.max(0, Math.min(left, safetyWaitMs)), signal, { since: last.mark, poolOf });
      if (!woken && deadline <= Date.now()) {
        // Nothing happened and the wait is over. The next sync need not look again unless
        // something does: no turn of this agent is leased, so no lock or lost lease waits on it.
        if (body.running.length === 0 && listAgentTasks(db, agent.id).length === 0) quiet.set(agent.id, last);
        return c.json({ leases: [], commands: [] } satisfies SyncResponse);
      }
    }
  };
}
