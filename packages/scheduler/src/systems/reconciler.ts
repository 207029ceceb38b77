import type { TaskStatus } from '@switchyard/core';
import {
  eachLiveTask,
  findTask,
  listAgents,
  type LiveTask,
  type TaskRow,
} from '@switchyard/db';
import type { WaitingJob } from '../queues.ts';
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

/** Each queue's job ids, as one listing of Redis saw them: waiting, and leased. */
interface Snapshot {
  waiting: Map<string, string[]>;
  active: Map<string, string[]>;
  /** Every job id listed, whatever its queue and state. */
  all: Set<string>;
}

/**
 * What the reconciler keeps of the live rows, read in one pass: the job ids they name, and only
 * the rows it may act on. A backlog of 110,000 queued tasks held as rows took the API's RSS from
 * about 137 to 200 MiB at each pass; as job ids, to about 170.
 */
interface LiveView {
  /** Job ids named by waiting rows, and by leased rows. */
  waitingJobs: Set<string>;
  activeJobs: Set<string>;
  /** Settled waiting rows whose job Redis did not list: the ones that may need enqueuing. */
  unlisted: LiveTask[];
  /** Settled dispatched rows: the ones whose agent may be gone. */
  dispatched: LiveTask[];
}

/**
 * Repairs differences between SQLite (the truth) and Redis (what waits): a queued row without
 * a job is enqueued, a waiting job without a live row removed, a leased job whose task ended
 * freed, a lease held by no agent returned. It compares in bulk — one listing of job ids per
 * queue, then one query of the live rows' few columns — and spends a round trip or a row read
 * only on what differs. It never touches work in flight: a row changed, or a job first seen, less
 * than `reconcileSafeAgeMs` ago (by the clock) is left alone, and each repair re-reads its row in
 * a transaction and acts only if the row still disagrees with Redis.
 *
 * A full comparison reads every live row, so the timer's `reconcileIfDue` makes one only when the
 * two may differ: after a sign of it (redis-watch.ts) or a start, until one has run
 * `reconcileSafeAgeMs` after the last sign (younger rows are skipped), and otherwise once every
 * `reconcileFullEveryMs`. The look in between costs two Redis commands and no row.
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
  /** Redis as the last full pass saw it: its run_id and the troubles counted until then. */
  private seen = { runId: '', troubles: 0 };
  /** The last sign that SQLite and Redis may differ (a start is one), or null once passed. */
  private troubleAt: number | null;
  private fullAt = -Infinity;

  constructor(
    private readonly r: SchedulerResources,
    private readonly jobs: JobSystem,
  ) {
    this.troubleAt = r.clock();
  }

  /** A full pass if one is due (see the class), else null. */
  async reconcileIfDue(): Promise<ReconcileReport | null> {
    const now = this.r.clock();
    const watch = this.r.queues.watch;
    try {
      const { runId, marked } = await watch.look();
      if (runId !== this.seen.runId || !marked || watch.troubles !== this.seen.troubles) this.troubleAt = now;
    } catch {
      this.troubleAt = now; // Redis is away: compare once it is back
      return null;
    }
    if (this.troubleAt === null && now - this.fullAt < this.r.config.reconcileFullEveryMs) return null;
    return this.reconcile();
  }

  lastReport(): ReconcileReport {
    return this.last;
  }

  async reconcile(): Promise<ReconcileReport> {
    const started = this.r.clock();
    const watch = this.r.queues.watch;
    const troubles = watch.troubles;
    const { runId } = await watch.look();
    await watch.mark();
    const seen = new Set<string>();
    // Redis first, then SQLite: a job added after the listing is not in it, and its row, once
    // it names the job, is young; a row read after the listing names only jobs listed or young.
    const snap = await this.snapshot();
    const live = this.liveView(snap);
    const report: ReconcileReport = {
      ranAt: new Date(this.r.clock()).toISOString(),
      enqueued: await this.enqueueMissing(live.unlisted),
      removedJobs: await this.removeOrphans(live.waitingJobs, snap, seen),
      requeuedLeases: await this.returnOrphanLeases(live.dispatched),
      freedJobs: await this.freeDeadLeases(live.activeJobs, snap, seen),
    };
    for (const id of this.firstSeen.keys()) if (!seen.has(id)) this.firstSeen.delete(id);
    const n = report.enqueued.length + report.removedJobs.length;
    if (n + report.requeuedLeases.length + report.freedJobs.length > 0) {
      this.r.logger.info(report, 'reconciler repaired differences');
    }
    this.last = report;
    this.seen = { runId, troubles };
    this.fullAt = started;
    if (this.troubleAt !== null && started - this.troubleAt >= this.r.config.reconcileSafeAgeMs) this.troubleAt = null;
    return report;
  }

  private async snapshot(): Promise<Snapshot> {
    const snap: Snapshot = { waiting: new Map(), active: new Map(), all: new Set() };
    await Promise.all(
      (await this.r.queues.queuesWithJobs()).map(async (name) => {
        const [waiting, active] = await Promise.all([
          this.r.queues.jobIds(name, 'waiting'),
          this.r.queues.jobIds(name, 'active'),
        ]);
        snap.waiting.set(name, waiting);
        snap.active.set(name, active);
        for (const id of waiting) snap.all.add(id);
        for (const id of active) snap.all.add(id);
      }),
    );
    return snap;
  }

  private liveView(snap: Snapshot): LiveView {
    const view: LiveView = { waitingJobs: new Set(), activeJobs: new Set(), unlisted: [], dispatched: [] };
    for (const row of eachLiveTask(this.r.db.db)) {
      const waiting = WAITING.includes(row.status);
      if (row.jobId) (waiting ? view.waitingJobs : view.activeJobs).add(row.jobId);
      if (this.young(row)) continue;
      if (waiting && !(row.jobId && snap.all.has(row.jobId))) view.unlisted.push(row);
      else if (row.status === 'dispatched') view.dispatched.push(row);
    }
    return view;
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

  /** Waiting rows, settled, whose job Redis did not list (checked once more before a repair). */
  private async enqueueMissing(unlisted: LiveTask[]): Promise<string[]> {
    const done: string[] = [];
    for (const row of unlisted) {
      const { jobId, queueName } = row;
      if (jobId && queueName && (await this.r.queues.exists(queueName, jobId))) continue;
      const task = findTask(this.r.db.db, row.id);
      if (!task || !WAITING.includes(task.status as TaskStatus) || this.young(task)) continue;
      // A rate-limited turn keeps its wait; enqueue gives up if the row changed meanwhile.
      const delay = Math.max(0, (task.rateLimitedUntil ?? 0) - this.r.clock());
      if (await this.jobs.enqueue(task, delay)) done.push(task.id);
    }
    return done;
  }

  /** The jobs each queue listed whose ids are not in `named`, the live rows' job ids, read from Redis. */
  private async strangers(listed: Map<string, string[]>, named: Set<string>): Promise<[string, WaitingJob[]][]> {
    const out: [string, WaitingJob[]][] = [];
    for (const [name, ids] of listed) {
      const odd = ids.filter((id) => !named.has(id));
      if (odd.length > 0) out.push([name, await this.r.queues.jobsById(name, odd)]);
    }
    return out;
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

  private async removeOrphans(named: Set<string>, snap: Snapshot, seen: Set<string>): Promise<string[]> {
    const removed: string[] = [];
    const live = (row: TaskRow) => WAITING.includes(row.status as TaskStatus);
    for (const [name, jobs] of await this.strangers(snap.waiting, named)) {
      for (const job of jobs) {
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
  private async freeDeadLeases(named: Set<string>, snap: Snapshot, seen: Set<string>): Promise<string[]> {
    const freed: string[] = [];
    const live = (row: TaskRow) => ACTIVE.includes(row.status as TaskStatus);
    for (const [name, jobs] of await this.strangers(snap.active, named)) {
      for (const job of jobs) {
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

  private async returnOrphanLeases(dispatched: LiveTask[]): Promise<string[]> {
    const returned: string[] = [];
    if (dispatched.length === 0) return returned;
    const online = new Set(listAgents(this.r.db.db).flatMap((a) => (a.lostAt === null ? [a.id] : [])));
    for (const row of dispatched) {
      if (row.agentId && online.has(row.agentId)) continue;
      const task = findTask(this.r.db.db, row.id);
      if (!task || task.status !== 'dispatched' || this.young(task)) continue;
      if (task.agentId && online.has(task.agentId)) continue;
      await this.jobs.returnLease(task, 'lease held by no agent');
      returned.push(task.id);
    }
    return returned;
  }
}
