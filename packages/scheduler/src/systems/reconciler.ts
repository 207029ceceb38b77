import { isTerminal, type TaskStatus } from '@switchyard/core';
import { findAgent, findTask, listTasksByStatus, listWorkspaces } from '@switchyard/db';
import { poolQueueName, workspaceQueueName } from '../queues.ts';
import type { JobSystem } from './jobs.ts';
import type { SchedulerResources } from './resources.ts';

export interface ReconcileReport {
  ranAt: string | null;
  /** Tasks whose queued row had no job: enqueued anew. */
  enqueued: string[];
  /** Waiting jobs no live task row stands behind: removed. */
  removedJobs: string[];
  /** Leases held by no live agent: returned to the queue. */
  requeuedLeases: string[];
}

/**
 * Repairs differences between SQLite (the truth) and Redis (what waits): a queued row without
 * a job is enqueued, a waiting job without a live row removed, a lease held by no agent
 * returned. Keeps what it last did for the consistency endpoint.
 */
export class Reconciler {
  private last: ReconcileReport = {
    ranAt: null,
    enqueued: [],
    removedJobs: [],
    requeuedLeases: [],
  };

  constructor(
    private readonly r: SchedulerResources,
    private readonly jobs: JobSystem,
  ) {}

  lastReport(): ReconcileReport {
    return this.last;
  }

  async reconcile(): Promise<ReconcileReport> {
    const report: ReconcileReport = {
      ranAt: new Date(this.r.clock()).toISOString(),
      enqueued: await this.enqueueMissing(),
      removedJobs: await this.removeOrphans(),
      requeuedLeases: await this.returnOrphanLeases(),
    };
    if (report.enqueued.length + report.removedJobs.length + report.requeuedLeases.length > 0) {
      this.r.logger.info(report, 'reconciler repaired differences');
    }
    this.last = report;
    return report;
  }

  private async enqueueMissing(): Promise<string[]> {
    const done: string[] = [];
    for (const task of listTasksByStatus(this.r.db.db, ['queued', 'rate_limited'])) {
      const { jobId, queueName } = task;
      if (jobId && queueName && (await this.r.queues.exists(queueName, jobId))) continue;
      // A rate-limited turn keeps its wait.
      await this.jobs.enqueue(task, Math.max(0, (task.rateLimitedUntil ?? 0) - this.r.clock()));
      done.push(task.id);
    }
    return done;
  }

  private async removeOrphans(): Promise<string[]> {
    const db = this.r.db.db;
    const names = new Set<string>();
    for (const ws of listWorkspaces(db)) {
      names.add(workspaceQueueName(ws.id));
      names.add(poolQueueName(ws.teamId));
    }
    const removed: string[] = [];
    for (const name of names) {
      for (const job of await this.r.queues.waitingJobs(name)) {
        const task = job.data?.taskId ? findTask(db, job.data.taskId) : undefined;
        if (task && task.jobId === job.jobId && !isTerminal(task.status as TaskStatus)) continue;
        await this.r.queues.remove(name, job.jobId).catch(() => undefined);
        removed.push(job.jobId);
      }
    }
    return removed;
  }

  private async returnOrphanLeases(): Promise<string[]> {
    const returned: string[] = [];
    for (const task of listTasksByStatus(this.r.db.db, ['dispatched'])) {
      const agent = task.agentId ? findAgent(this.r.db.db, task.agentId) : undefined;
      if (agent && agent.lostAt === null) continue;
      await this.jobs.returnLease(task, 'lease held by no agent');
      returned.push(task.id);
    }
    return returned;
  }
}
