import type { TaskStatus } from '@switchyard/core';
import {
  findAgent,
  findTask,
  listTasksByStatus,
  listWorkspaces,
  type TaskRow,
} from '@switchyard/db';
import { poolQueueName, workspaceQueueName, type WaitingJob } from '../queues.ts';
import type { JobSystem } from './jobs.ts';
import { ACTIVE, type SchedulerResources } from './resources.ts';

export interface ReconcileReport {
  ranAt: string | null;
  /** Tasks whose queued row had no job: enqueued anew. */
  enqueued: string[];
  /** Waiting jobs no live task row stands behind: removed. */
  removedJobs: string[];
  /** Leases held by no live agent: returned to the queue. */
  requeuedLeases: string[];
  /** Leased (active) jobs whose task is no longer live: removed, freeing the queue's concurrency. */
  freedJobs: string[];
}

const WAITING: TaskStatus[] = ['queued', 'rate_limited'];

/**
 * Repairs differences between SQLite (the truth) and Redis (what waits): a queued row without
 * a job is enqueued, a waiting job without a live row removed, a leased job whose task ended
 * freed, a lease held by no agent returned. It never touches work in flight: a row changed, or a
 * job first seen, less than `reconcileSafeAgeMs` ago (by the clock) is left alone, and each repair
 * re-reads its row in a transaction and acts only if the row still disagrees with Redis.
 */
export class Reconciler {
  private last: ReconcileReport = {
    ranAt: null,
    enqueued: [],
    removedJobs: [],
    requeuedLeases: [],
    freedJobs: [],
  };
  /** When each job with no row behind it was first seen: jobs have no age on our clock. */
  private readonly firstSeen = new Map<string, number>();

  constructor(
    private readonly r: SchedulerResources,
    private readonly jobs: JobSystem,
  ) {}

  lastReport(): ReconcileReport {
    return this.last;
  }

  async reconcile(): Promise<ReconcileReport> {
    const seen = new Set<string>();
    const report: ReconcileReport = {
      ranAt: new Date(this.r.clock()).toISOString(),
      enqueued: await this.enqueueMissing(),
      removedJobs: await this.removeOrphans(seen),
      requeuedLeases: await this.returnOrphanLeases(),
      freedJobs: await this.freeDeadLeases(seen),
    };
    for (const id of this.firstSeen.keys()) if (!seen.has(id)) this.firstSeen.delete(id);
    const n = report.enqueued.length + report.removedJobs.length;
    if (n + report.requeuedLeases.length + report.freedJobs.length > 0) {
      this.r.logger.info(report, 'reconciler repaired differences');
    }
    this.last = report;
    return report;
  }

  private young(row: Pick<TaskRow, 'updatedAt'>): boolean {
    return this.r.clock() - row.updatedAt < this.r.config.reconcileSafeAgeMs;
  }

  /** Old enough to repair: its row changed long ago, or (no row) it was first seen long ago. */
  private settled(row: TaskRow | undefined, jobId: string, seen: Set<string>): boolean {
    if (row) return !this.young(row);
    seen.add(jobId);
    const first = this.firstSeen.get(jobId) ?? this.r.clock();
    this.firstSeen.set(jobId, first);
    return !this.young({ updatedAt: first });
  }

  /** The row behind a job, re-read now: undefined if the job is not one of ours. */
  private rowOf(job: WaitingJob): TaskRow | undefined {
    return job.data?.taskId ? findTask(this.r.db.db, job.data.taskId) : undefined;
  }

  private async enqueueMissing(): Promise<string[]> {
    const done: string[] = [];
    for (const task of listTasksByStatus(this.r.db.db, WAITING)) {
      if (this.young(task)) continue;
      const { jobId, queueName } = task;
      if (jobId && queueName && (await this.r.queues.exists(queueName, jobId))) continue;
      // A rate-limited turn keeps its wait; enqueue gives up if the row changed meanwhile.
      const delay = Math.max(0, (task.rateLimitedUntil ?? 0) - this.r.clock());
      if (await this.jobs.enqueue(task, delay)) done.push(task.id);
    }
    return done;
  }

  private queueNames(): Set<string> {
    const names = new Set<string>();
    for (const ws of listWorkspaces(this.r.db.db)) {
      names.add(workspaceQueueName(ws.id));
      names.add(poolQueueName(ws.teamId));
    }
    return names;
  }

  /** Whether the row, re-read in a transaction, still does not stand behind the job. */
  private stillOrphan(job: WaitingJob, live: (row: TaskRow) => boolean): TaskRow | null | false {
    const h = this.r.db;
    return h.tx(() => {
      const row = this.rowOf(job);
      if (row && row.jobId === job.jobId && live(row)) return false;
      return row ?? null;
    });
  }

  private async removeOrphans(seen: Set<string>): Promise<string[]> {
    const removed: string[] = [];
    const live = (row: TaskRow) => WAITING.includes(row.status as TaskStatus);
    for (const name of this.queueNames()) {
      for (const job of await this.r.queues.waitingJobs(name)) {
        const row = this.rowOf(job);
        if (row && row.jobId === job.jobId && live(row)) continue;
        if (!this.settled(row, job.jobId, seen) || this.stillOrphan(job, live) === false) continue;
        await this.r.queues.remove(name, job.jobId).catch(() => undefined);
        removed.push(job.jobId);
      }
    }
    return removed;
  }

  /**
   * A leased job whose task ended or went back to the queue (its end reached SQLite while Redis
   * was away) holds its queue's global concurrency for good: remove it, and give a task that
   * still waits on that very job a new one.
   */
  private async freeDeadLeases(seen: Set<string>): Promise<string[]> {
    const freed: string[] = [];
    const live = (row: TaskRow) => ACTIVE.includes(row.status as TaskStatus);
    for (const name of this.queueNames()) {
      for (const job of await this.r.queues.activeJobs(name)) {
        const row = this.rowOf(job);
        if (row && row.jobId === job.jobId && live(row)) continue;
        if (!this.settled(row, job.jobId, seen)) continue;
        const cur = this.stillOrphan(job, live);
        if (cur === false) continue;
        await this.r.queues.forceRemove(name, job.jobId);
        freed.push(job.jobId);
        if (!cur) continue;
        if (cur.jobId === job.jobId && WAITING.includes(cur.status as TaskStatus)) {
          await this.jobs.enqueue(cur, Math.max(0, (cur.rateLimitedUntil ?? 0) - this.r.clock()));
        }
        this.jobs.freed(cur);
      }
    }
    return freed;
  }

  private async returnOrphanLeases(): Promise<string[]> {
    const returned: string[] = [];
    for (const task of listTasksByStatus(this.r.db.db, ['dispatched'])) {
      if (this.young(task)) continue;
      const agent = task.agentId ? findAgent(this.r.db.db, task.agentId) : undefined;
      if (agent && agent.lostAt === null) continue;
      await this.jobs.returnLease(task, 'lease held by no agent');
      returned.push(task.id);
    }
    return returned;
  }
}
