import {
  listAgentTasks,
  listSilentAgents,
  listTasksByStatus,
  markAgentLost,
  transitionTask,
  updateTurn,
  type AgentRow,
  type TaskRow,
} from '@switchyard/db';
import { retryBackoffMs } from '../backoff.ts';
import { unpinned, type JobSystem } from './jobs.ts';
import { emitTask, type SchedulerResources } from './resources.ts';
import type { WorkspaceState } from './workspace-state.ts';

/** Periodic clean-up: agents gone silent, rate limits that are over. */
export class SweepSystem {
  constructor(
    private readonly r: SchedulerResources,
    private readonly jobs: JobSystem,
    private readonly workspaces: WorkspaceState,
  ) {}

  /** Runs every sweep; logs rather than throws, since a timer calls it. */
  async sweep(): Promise<void> {
    try {
      await this.lostAgents();
      this.expiredRateLimits();
    } catch (err) {
      this.r.logger.error({ err }, 'sweep failed');
    }
  }

  /**
   * Agents silent past grace: their unstarted leases go back, their running tasks are lost. An
   * agent's tasks are settled in SQLite in one transaction, so no reader sees half of it; the
   * queue side follows.
   */
  async lostAgents(): Promise<void> {
    const { db: h, hub, logger, config } = this.r;
    const t = this.r.clock();
    // Read by SQLite, not every agent of the fleet decoded and filtered here.
    for (const agent of listSilentAgents(h.db, t - config.graceSec * 1000 + 1)) {
      const settled = h.tx(() => {
        markAgentLost(h.db, agent.id, t);
        return listAgentTasks(h.db, agent.id).map((task) => ({ task, row: task.status === 'dispatched' ? this.leaseLost(agent, task, t) : this.turnLost(agent, task, t) }));
      });
      hub.emit('agent', { agentId: agent.id, workspaceId: agent.workspaceId, online: false });
      logger.warn({ agentId: agent.id, hostname: agent.hostname }, 'agent lost');
      for (const { task, row } of settled) {
        emitTask(hub, row);
        if (row.status === 'queued') await this.jobs.requeueSameJob(task, row, retryBackoffMs(row.attempts));
        else await this.jobs.dropJob(task);
      }
    }
  }

  /** Rate-limited tasks whose wait is over go back to queued by themselves. */
  expiredRateLimits(): void {
    const { db: h, hub } = this.r;
    const t = this.r.clock();
    for (const task of listTasksByStatus(h.db, ['rate_limited'])) {
      if ((task.rateLimitedUntil ?? 0) > t) continue;
      const patch = { rateLimitedUntil: null, queuedAt: t };
      const opts = { reason: 'rate limit over', now: t };
      emitTask(
        hub,
        h.tx(() => transitionTask(h.db, task, 'queued', patch, opts)),
      );
      this.workspaces.wakeFor(task);
    }
  }

  /** The turn never started: it goes back to the queue (after a backoff), up to maxAttempts. */
  private leaseLost(agent: AgentRow, task: TaskRow, t: number): TaskRow {
    const { db: h } = this.r;
    const attempts = task.attempts + 1;
    if (attempts >= this.r.config.maxAttempts) {
      const patch = {
        attempts,
        finishedAt: t,
        errorCode: 'agent_lost',
        errorMessage: `agent ${agent.hostname} vanished before the turn started, ${attempts} times`,
      };
      return transitionTask(h.db, task, 'failed', patch, { reason: 'agent lost', now: t });
    }
    const patch = { attempts, agentId: null, queuedAt: t, ...unpinned(task) };
    const opts = { reason: `agent ${agent.hostname} lost before start; retry ${attempts}`, now: t };
    return transitionTask(h.db, task, 'queued', patch, opts);
  }

  /** The turn was running: its session cannot be re-run, so the task is lost. */
  private turnLost(agent: AgentRow, task: TaskRow, t: number): TaskRow {
    const { db: h, config } = this.r;
    const turn = { status: 'lost', outcome: 'lost', finishedAt: t, reason: 'agent lost' };
    updateTurn(h.db, task.id, task.currentTurn, turn);
    const patch = {
      finishedAt: t,
      errorCode: 'agent_lost',
      errorMessage: `agent ${agent.hostname} silent for more than ${config.graceSec}s`,
    };
    return transitionTask(h.db, task, 'lost', patch, { reason: 'agent lost', now: t });
  }
}
