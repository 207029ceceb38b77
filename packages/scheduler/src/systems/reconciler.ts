import type { TaskStatus } from '@switchyard/core';
import {
  findTask,
  listAgents,
  taskJobOf,
  waitingTasksPerQueue,
  type LiveTask,
  type TaskRow,
} from '@switchyard/db';
import type { JobListState, WaitingJob } from '../queues.ts';
import { jobPages, rowPages } from './pages.ts';
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
/** The lists a waiting job is in. */
const WAITING_LISTS: JobListState[] = ['wait', 'prioritized', 'delayed'];

/** A job's task, read from its id (`<taskId>-<turn>-<random>`, newJobId): a filter only. */
const taskIdOfJob = (jobId: string): string => jobId.slice(0, jobId.indexOf('-'));

/**
 * Repairs differences between SQLite (the truth) and Redis (what waits): a queued row without
 * a job is enqueued, a waiting job without a live row removed, a leased job whose task ended
 * freed, a lease held by no agent returned. It compares in bulk and spends a round trip or a
 * full row read only on what differs. It never touches work in flight: a row changed, or a job
 * first seen, less than `reconcileSafeAgeMs` ago (by the clock) is left alone, and each repair
 * re-reads its row in a transaction and acts only if the row still disagrees with Redis.
 *
 * Both sides are read a page at a time (`reconcilePageSize`): each page of job ids listed is
 * checked against the rows its ids name (a primary key probe each), each page of live rows
 * against Redis (one pipeline of EXISTS): every settled waiting row after a start or a sign, and
 * on a routine pass only in a queue whose job count differs from the jobs its waiting rows name.
 * Held whole, a backlog of 115,000 queued tasks took the API's heap from 35 to 70 MB at each
 * pass, and the peak grew with the backlog toward the heap cap.
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
  /** Passes running now (an admin's may run beside the timer's): the timer starts none beside them. */
  private passing = 0;

  constructor(
    private readonly r: SchedulerResources,
    private readonly jobs: JobSystem,
  ) {
    this.troubleAt = r.clock();
  }

  /** A full pass if one is due (see the class), else null. */
  async reconcileIfDue(): Promise<ReconcileReport | null> {
    if (this.passing > 0) return null; // a pass still runs: the next look decides
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
    // After a sign every settled waiting row is checked; the count shortcut is for the passes
    // that expect nothing to differ.
    return this.reconcile({ thorough: this.troubleAt !== null });
  }

  lastReport(): ReconcileReport {
    return this.last;
  }

  /**
   * A full pass. `thorough` (the default: at start, on an admin's request, after a sign) looks up
   * the job of every settled waiting row; otherwise only in the queues whose counts disagree.
   */
  async reconcile(opts: { thorough?: boolean } = {}): Promise<ReconcileReport> {
    this.passing++;
    try {
      return await this.pass(opts.thorough ?? true);
    } finally {
      this.passing--;
    }
  }

  private async pass(thorough: boolean): Promise<ReconcileReport> {
    const started = this.r.clock();
    const watch = this.r.queues.watch;
    const troubles = watch.troubles;
    const { runId } = await watch.look();
    await watch.mark();
    const seen = new Set<string>();
    const report: ReconcileReport = { ranAt: new Date(started).toISOString(), enqueued: [], removedJobs: [], requeuedLeases: [], freedJobs: [] };
    // Redis's jobs first, then SQLite's rows: a job added after its listing is named by a row
    // that is young; a row read after the listing names a job that EXISTS still sees.
    const { names, strange } = await this.checkJobs(report, seen);
    await this.checkRows(report, thorough ? 'all' : await this.doubtfulQueues(names, strange));
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

  /** Jobs no live row names: orphans removed, dead leases freed. Returns the queues listed, and those with such a job. */
  private async checkJobs(report: ReconcileReport, seen: Set<string>): Promise<{ names: string[]; strange: Set<string> }> {
    const names = await this.r.queues.queuesWithJobs();
    const strange = new Set<string>();
    for (const name of names) {
      // Acted on once the list is read: a removal while paging would shift the jobs after it.
      const odd = await this.unnamedIn(name, WAITING_LISTS, WAITING);
      if (odd.length > 0) strange.add(name);
      report.removedJobs.push(...(await this.removeOrphans(name, odd, seen)));
      report.freedJobs.push(...(await this.freeDeadLeases(name, await this.unnamedIn(name, ['active'], ACTIVE), seen)));
    }
    return { names, strange };
  }

  /** The jobs of `name` in `lists` that no row in one of `statuses` names: what differs, kept whole. */
  private async unnamedIn(name: string, lists: JobListState[], statuses: TaskStatus[]): Promise<string[]> {
    const odd: string[] = [];
    for (const state of lists) for await (const ids of jobPages(this.r, name, state)) odd.push(...this.unnamed(name, ids, statuses));
    return odd;
  }

  /**
   * The queues whose waiting rows may name a job Redis lost (null: rows naming no job). Each
   * waiting job of a queue with no stranger is named by one of its waiting rows, so where it holds
   * as many jobs as its waiting rows name, each row's job is there and none needs a look. The two
   * counts are read apart: a write between them (a kill that has cancelled its row and not yet
   * removed its job) can make a queue that lost a job look even, which is why a pass after a sign
   * does not rely on them.
   */
  private async doubtfulQueues(names: string[], strange: Set<string>): Promise<Set<string | null>> {
    const jobsIn = await this.r.queues.waitingCounts(names);
    const agree = (q: string | null, n: number) => q !== null && !strange.has(q) && jobsIn.get(q) === n;
    return new Set([...waitingTasksPerQueue(this.r.db.db)].flatMap(([q, n]) => (agree(q, n) ? [] : [q])));
  }

  /** Settled waiting rows of doubtful queues whose job is gone: enqueued; orphan leases: returned. */
  private async checkRows(report: ReconcileReport, doubtful: Set<string | null> | 'all'): Promise<void> {
    const isDoubtful = (row: LiveTask) => doubtful === 'all' || doubtful.has(row.jobId === null ? null : row.queueName);
    let online: Set<string> | undefined;
    for (const status of [...WAITING, 'dispatched' as const]) {
      if (status !== 'dispatched' && doubtful !== 'all' && doubtful.size === 0) continue;
      for await (const rows of rowPages(this.r, status)) {
        const settled = rows.filter((row) => !this.young(row));
        if (status === 'dispatched') report.requeuedLeases.push(...(await this.returnOrphanLeases(settled, (online ??= this.onlineAgents()))));
        else report.enqueued.push(...(await this.enqueueMissing(settled.filter(isDoubtful))));
      }
    }
  }

  /** The ids of jobs in queue `name` that no row in one of `statuses` names as its job in it. */
  private unnamed(name: string, ids: string[], statuses: TaskStatus[]): string[] {
    return ids.filter((id) => {
      const row = taskJobOf(this.r.db.db, taskIdOfJob(id));
      return !(row && row.jobId === id && row.queueName === name && statuses.includes(row.status));
    });
  }

  private onlineAgents(): Set<string> {
    return new Set(listAgents(this.r.db.db).flatMap((a) => (a.lostAt === null ? [a.id] : [])));
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

  /** Settled waiting rows whose job Redis no longer holds (checked once more before a repair). */
  private async enqueueMissing(rows: LiveTask[]): Promise<string[]> {
    const named = rows.flatMap((row) => (row.jobId && row.queueName ? [{ name: row.queueName, jobId: row.jobId }] : []));
    const held = new Set((await this.r.queues.existing(named)).flatMap((there, i) => (there ? [named[i]!.jobId] : [])));
    const done: string[] = [];
    for (const row of rows) {
      if (row.jobId && held.has(row.jobId)) continue;
      const task = findTask(this.r.db.db, row.id);
      if (!task || !WAITING.includes(task.status as TaskStatus) || this.young(task)) continue;
      // A rate-limited turn keeps its wait; enqueue gives up if the row changed meanwhile.
      const delay = Math.max(0, (task.rateLimitedUntil ?? 0) - this.r.clock());
      if (await this.jobs.enqueue(task, delay)) done.push(task.id);
    }
    return done;
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

  /**
   * The jobs of `name` among `odd` that no row in a `live` state stands behind, settled and still
   * so inside a transaction, each with the row of its task now (null when there is none).
   */
  private async *orphans(name: string, odd: string[], seen: Set<string>, live: (row: TaskRow) => boolean): AsyncGenerator<{ job: WaitingJob; cur: TaskRow | null }> {
    for (const job of odd.length > 0 ? await this.r.queues.jobsById(name, odd) : []) {
      const row = this.rowOf(job);
      if (row && row.jobId === job.jobId && live(row)) continue;
      if (!this.settled(row, job.jobId, seen)) continue;
      const cur = this.stillOrphan(job, live);
      if (cur !== false) yield { job, cur };
    }
  }

  /** Waiting jobs of `name` (`odd`: no waiting row names them) that no row stands behind: removed. */
  private async removeOrphans(name: string, odd: string[], seen: Set<string>): Promise<string[]> {
    const removed: string[] = [];
    for await (const { job } of this.orphans(name, odd, seen, (row) => WAITING.includes(row.status as TaskStatus))) {
      await this.r.queues.remove(name, job.jobId).catch(() => undefined);
      removed.push(job.jobId);
    }
    return removed;
  }

  /**
   * A leased job whose task ended or went back to the queue (its end reached SQLite while Redis
   * was away) holds its queue's global concurrency for good: remove it, and give a task that
   * still waits on that very job a new one.
   */
  private async freeDeadLeases(name: string, odd: string[], seen: Set<string>): Promise<string[]> {
    const freed: string[] = [];
    for await (const { job, cur } of this.orphans(name, odd, seen, (row) => ACTIVE.includes(row.status as TaskStatus))) {
      await this.r.queues.forceRemove(name, job.jobId);
      freed.push(job.jobId);
      if (!cur) continue;
      if (cur.jobId === job.jobId && WAITING.includes(cur.status as TaskStatus)) {
        await this.jobs.enqueue(cur, Math.max(0, (cur.rateLimitedUntil ?? 0) - this.r.clock()));
      }
      this.jobs.freed(cur);
    }
    return freed;
  }

  /** Settled dispatched rows whose lease no online agent holds: returned to the queue. */
  private async returnOrphanLeases(dispatched: LiveTask[], online: Set<string>): Promise<string[]> {
    const returned: string[] = [];
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
