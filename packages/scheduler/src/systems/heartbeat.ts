import type { AgentCommand, RunningTurn, TaskStatus } from '@switchyard/core';
import { findTask, listTasksByStatus, type TaskRow } from '@switchyard/db';
import type { JobSystem } from './jobs.ts';
import { ACTIVE, type SchedulerResources } from './resources.ts';

/** How old a lease must be before its absence from the agent's turns means it was lost. */
export const LEASE_LOST_MS = 5_000;

/**
 * An agent's sync: its leases stay locked while it lives, a lease it never received goes
 * back to the queue, and it hears which of its turns to kill or abandon.
 */
export class HeartbeatSystem {
  constructor(
    private readonly r: SchedulerResources,
    private readonly jobs: JobSystem,
  ) {}

  /** Extends the locks of this agent's leases; returns commands for it. */
  async heartbeat(
    agentId: string,
    running: RunningTurn[],
    syncStartedAt = this.r.clock(),
  ): Promise<AgentCommand[]> {
    await this.returnUnreceived(agentId, running, syncStartedAt);
    const mine = listTasksByStatus(this.r.db.db, ACTIVE).filter((t) => t.agentId === agentId);
    await this.extendLocks(mine);
    const commands: AgentCommand[] = [];
    for (const task of mine) {
      if (task.killRequestedAt !== null) {
        const reason = task.killReason ?? 'killed by request';
        commands.push({ type: 'kill', taskId: task.id, reason });
      }
    }
    return [...commands, ...this.abandoned(agentId, running)];
  }

  /**
   * Leased before the agent's last sync began yet not among its turns: the answer that
   * carried the lease was lost. The turn never started, so it goes back to the queue.
   */
  private async returnUnreceived(
    agentId: string,
    running: RunningTurn[],
    since: number,
  ): Promise<void> {
    const held = new Set(running.map((r) => `${r.taskId}/${r.turn}`));
    const dispatched = listTasksByStatus(this.r.db.db, ['dispatched']);
    for (const task of dispatched.filter((t) => t.agentId === agentId)) {
      if (task.updatedAt < since - LEASE_LOST_MS && !held.has(`${task.id}/${task.currentTurn}`)) {
        await this.jobs.returnLease(task, 'the agent never received the lease');
      }
    }
  }

  private async extendLocks(tasks: TaskRow[]): Promise<void> {
    const byQueue = new Map<string, { ids: string[]; tokens: string[] }>();
    for (const task of tasks) {
      if (!task.jobId || !task.queueName || !task.leaseToken) continue;
      const entry = byQueue.get(task.queueName) ?? { ids: [], tokens: [] };
      entry.ids.push(task.jobId);
      entry.tokens.push(task.leaseToken);
      byQueue.set(task.queueName, entry);
    }
    for (const [name, { ids, tokens }] of byQueue) {
      await this.r.queues.extendLocks(name, ids, tokens).catch((err: unknown) => {
        this.r.logger.warn({ err, queue: name }, 'could not extend leases');
      });
    }
  }

  /** Turns the agent runs that the API no longer expects from it. */
  private abandoned(agentId: string, running: RunningTurn[]): AgentCommand[] {
    const commands: AgentCommand[] = [];
    for (const r of running) {
      const task = findTask(this.r.db.db, r.taskId);
      const current =
        task &&
        task.agentId === agentId &&
        task.currentTurn === r.turn &&
        ACTIVE.includes(task.status as TaskStatus);
      // A turn that finished but whose report has not arrived is still expected.
      const awaitingReport = task && task.currentTurn === r.turn && !r.alive;
      if (!current && !awaitingReport) {
        const reason = task ? `task is ${task.status}` : 'unknown task';
        commands.push({ type: 'abandon', taskId: r.taskId, reason });
      }
    }
    return commands;
  }
}
