import { randomUUID } from 'node:crypto';
import type { Writable } from 'node:stream';
import { Job, Queue, type QueueOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { corkForThisTurn } from './cork.ts';
import { JobAdder } from './job-add.ts';
import { RELOCK } from './relock.ts';
import { bullPriority, newJobId, type TurnJobData } from './queue-names.ts';
import { RedisWatch } from './redis-watch.ts';

/** A job taken from a queue under a lock; `token` is the lock. */
export interface LeasedJob {
  jobId: string;
  data: TurnJobData;
  token: string;
  /** Set when BullMQ judged the job stalled and deferred its failure to whoever takes it next. */
  stalledReason: string | null;
}

/** The lists of a queue a job waits in (`wait`, `prioritized`, `delayed`) or is leased from (`active`). */
export type JobListState = 'wait' | 'prioritized' | 'delayed' | 'active';

/** A job that waits (waiting, prioritized or delayed). */
export interface WaitingJob {
  jobId: string;
  data: Partial<TurnJobData> | undefined;
}

export { bullPriority, newJobId, poolQueueName, workspaceQueueName, type TurnJobData } from './queue-names.ts';

/**
 * Every BullMQ call the scheduler makes. It holds one Queue per name, all on the two shared
 * connections, and leases through the queue's own backend (`moveToActive`, the script a Worker's
 * getNextJob runs) rather than a Worker: a Worker duplicates its connection for blocking fetches,
 * so a fleet of thousands of workspace queues opened (and closed) a Redis connection per lease.
 * No QueueEvents either. Delays are relative and measured on the wall clock, since Redis compares
 * them with real time, not the scheduler's clock.
 */
export class QueueAdapter {
  private readonly queues = new Map<string, Queue<TurnJobData>>();
  /** Queues on the worker connection, used to lease and keep locks; `queues` when it is the same. */
  private readonly leasers = new Map<string, Queue<TurnJobData>>();
  /** The global concurrency last set per queue, so a lease does not write it every time. */
  private readonly concurrency = new Map<string, number>();
  /** What the reconciler watches: a failed queue call counts as trouble. */
  readonly watch: RedisWatch;
  /** Adds jobs that run as soon as they may (all but delayed ones) for less than Queue.add costs. */
  private readonly adder: JobAdder;

  /**
   * `connection` serves the queues, called in request paths: it should fail fast while Redis is
   * away. `workerConnection` (default: the same) leases and re-locks: it waits Redis out.
   */
  constructor(
    private readonly connection: Redis,
    private readonly opts: {
      prefix: string;
      lockMs: number;
      /** Connection errors of queues and workers (Redis away): logged, never thrown. */
      onError?: (err: Error) => void;
      /**
       * Longest wait for an add or a lookup, which request paths make: a queue first used while
       * Redis is away waits for it to connect, whatever the connection's own timeouts say.
       */
      opTimeoutMs?: number;
    },
    private readonly workerConnection: Redis = connection,
  ) {
    this.watch = new RedisWatch(connection, `${opts.prefix}:reconciled`, [connection, workerConnection]);
    this.adder = new JobAdder(connection);
  }

  /** Adds a turn's job (after `delayMs`) and returns its id. */
  async add(
    name: string,
    data: TurnJobData,
    opts: { priority: number; delayMs?: number; jobId?: string },
  ): Promise<string> {
    const jobId = opts.jobId ?? newJobId(data);
    // The adds of one turn of the event loop (the creates of one grouped commit) leave together.
    corkForThisTurn((this.connection as unknown as { stream?: Writable }).stream);
    const priority = bullPriority(opts.priority);
    const queue = this.queue(name);
    const added: Promise<unknown> =
      opts.delayMs && opts.delayMs > 0
        ? queue.add('turn', data, { jobId, priority, delay: opts.delayMs })
        : this.adder.add(queue, 'turn', data, jobId, priority);
    await this.within(added);
    return jobId;
  }

  /** Takes the next job of `name` under a new lock, or null when none waits. */
  async lease(name: string): Promise<LeasedJob | null> {
    const token = randomUUID();
    const q = this.leaser(name);
    const [raw, id] = (await q.getBackend().moveToActive(token)) as [object | null, string?];
    if (!raw || !id) return null;
    const job = Job.fromJSON<TurnJobData>(q, raw as Parameters<typeof Job.fromJSON>[1], id);
    return { jobId: id, data: job.data, token, stalledReason: job.deferredFailure ?? null };
  }

  /** Ends a leased job as done; it leaves Redis. */
  async complete(name: string, jobId: string, token: string): Promise<void> {
    await (await this.find(name, jobId))?.moveToCompleted(null, token, false);
  }

  /** Puts a leased job back where it waited, keeping its place. False if the job is gone. */
  async returnToWait(name: string, jobId: string, token: string): Promise<boolean> {
    const job = await this.find(name, jobId);
    if (!job) return false;
    await job.moveToWait(token);
    return true;
  }

  /** Puts a leased job back to wait `delayMs` from now. False if the job is gone. */
  async delay(name: string, jobId: string, token: string, delayMs: number): Promise<boolean> {
    const job = await this.find(name, jobId);
    if (!job) return false;
    await job.moveToDelayed(Date.now() + Math.max(0, delayMs), token);
    return true;
  }

  /** Fails a leased job BullMQ called stalled, so that it is never run again. */
  async failStalled(name: string, jobId: string, token: string, reason: string): Promise<void> {
    await (await this.find(name, jobId))?.moveToFailed(new Error(reason), token, false);
  }

  /** Ends a job whatever state it is in: completed if we hold its lock, else removed. */
  async discard(name: string, jobId: string, token: string | null): Promise<void> {
    try {
      const job = await this.find(name, jobId);
      if (!job) return;
      if (token && (await job.isActive())) await job.moveToCompleted(null, token, false);
      else await job.remove();
    } catch {
      // A lock that expired while the API was down: the job can still be removed.
      await this.remove(name, jobId);
    }
  }

  async remove(name: string, jobId: string): Promise<void> {
    await (await this.find(name, jobId))?.remove();
  }

  async exists(name: string, jobId: string): Promise<boolean> {
    return (await this.find(name, jobId)) !== undefined;
  }

  /** Jobs of `name` that wait to be leased, delayed ones included. */
  async waitingJobs(name: string): Promise<WaitingJob[]> {
    const jobs = await this.queue(name).getJobs(['waiting', 'delayed', 'prioritized']);
    return jobs.map((j) => ({ jobId: j.id!, data: j.data as Partial<TurnJobData> | undefined }));
  }

  /** How many jobs of `name` may be leased at once, across all API processes. */
  async setConcurrency(name: string, n: number): Promise<void> {
    if (this.concurrency.get(name) === n) return;
    await this.queue(name).setGlobalConcurrency(n);
    this.concurrency.set(name, n);
  }

  /** Keeps the locks of leased jobs, so BullMQ does not call them stalled; returns those it could not. */
  async extendLocks(name: string, jobIds: string[], tokens: string[]): Promise<string[]> {
    if (jobIds.length === 0) return [];
    return this.leaser(name).getBackend().extendLocks(jobIds, tokens, this.opts.lockMs);
  }

  /**
   * Takes the lock of an active job again after Redis lost it (a restart from an older append-only
   * file, an expiry during an outage): `held` when the job is ours again, `gone` when the job is no
   * longer active, `foreign` when another token holds it.
   */
  async relock(name: string, jobId: string, token: string): Promise<'held' | 'gone' | 'foreign'> {
    const q = this.queue(name);
    const keys = [q.toKey(jobId), `${q.toKey(jobId)}:lock`, q.keys.active!];
    const ms = String(this.opts.lockMs);
    const r = await this.workerConnection.eval(RELOCK, 3, ...keys, token, ms, jobId);
    return r === 1 ? 'held' : r === 0 ? 'foreign' : 'gone';
  }

  /**
   * Removes a job whatever holds it: an active job whose lease no live task stands behind keeps
   * its queue's global concurrency until it is gone.
   */
  async forceRemove(name: string, jobId: string): Promise<void> {
    const q = this.queue(name);
    await this.workerConnection.del(`${q.toKey(jobId)}:lock`);
    await (await this.find(name, jobId))?.remove();
  }

  /**
   * Ids of the jobs of `name` in `state`, `count` of them from position `start` of its list, in
   * one round trip: no job itself is read. A listing a page at a time holds a page of a backlog.
   */
  async jobIdsPage(name: string, state: JobListState, start: number, count: number): Promise<string[]> {
    return this.within(this.queue(name).getRanges([state], start, start + count - 1, false));
  }

  /** How many jobs wait in each of these queues (waiting, prioritized and delayed): one pipeline. */
  async waitingCounts(names: string[]): Promise<Map<string, number>> {
    const pipeline = this.connection.pipeline();
    for (const name of names) {
      const { keys } = this.queue(name);
      pipeline.llen(keys.wait!).zcard(keys.prioritized!).zcard(keys.delayed!);
    }
    const replies = names.length > 0 ? ((await this.within(pipeline.exec())) ?? []) : [];
    return new Map(names.map((name, i) => [name, replies.slice(3 * i, 3 * i + 3).reduce((sum, [err, n]) => (err ? NaN : sum + Number(n)), 0)]));
  }

  /** Whether each job (its queue and id) is still in Redis, in whatever state: one pipeline. */
  async existing(jobs: { name: string; jobId: string }[]): Promise<boolean[]> {
    const pipeline = this.connection.pipeline();
    for (const j of jobs) pipeline.exists(this.queue(j.name).toKey(j.jobId));
    const replies = jobs.length > 0 ? ((await this.within(pipeline.exec())) ?? []) : [];
    return jobs.map((_, i) => {
      const [err, n] = replies[i] ?? [new Error('Redis gave no answer'), 0];
      if (err) throw err;
      return n === 1;
    });
  }

  /**
   * The queues that hold a job now, waiting or leased, found by a SCAN of Redis's keys: a list
   * or sorted set that empties is deleted, so only queues with jobs have these keys. The
   * reconciler lists those instead of every queue the fleet has (two per workspace: at 10,000
   * workspaces, 20,000 listings a minute in one burst).
   */
  async queuesWithJobs(): Promise<string[]> {
    const head = `${this.opts.prefix}:`;
    const states = [':wait', ':paused', ':prioritized', ':delayed', ':active'];
    const names = new Set<string>();
    let cursor = '0';
    do {
      const [next, keys] = await this.within(this.connection.scan(cursor, 'MATCH', `${head}{*}:*`, 'COUNT', 1000));
      cursor = next;
      for (const key of keys) {
        const state = states.find((s) => key.endsWith(s));
        if (state) names.add(key.slice(head.length, -state.length));
      }
    } while (cursor !== '0');
    return [...names];
  }

  /** The jobs of `name` with these ids, read concurrently; ids no longer there are left out. */
  async jobsById(name: string, jobIds: string[]): Promise<WaitingJob[]> {
    const jobs = await Promise.all(jobIds.map((id) => this.find(name, id)));
    return jobs.flatMap((j) => (j ? [{ jobId: j.id!, data: j.data as Partial<TurnJobData> | undefined }] : []));
  }

  async close(): Promise<void> {
    const all = [...this.leasers.values(), ...this.queues.values()];
    await Promise.allSettled(all.map((x) => x.close()));
    this.leasers.clear();
    this.queues.clear();
    this.concurrency.clear();
  }

  private find(name: string, jobId: string): Promise<Job<TurnJobData> | undefined> {
    return this.within(Job.fromId<TurnJobData>(this.queue(name), jobId));
  }

  /** `p`, or a "Command timed out" error after opTimeoutMs; a failure counts as trouble. */
  private within<T>(p: Promise<T>): Promise<T> {
    return this.watch.within(p, this.opts.opTimeoutMs);
  }

  private queue(name: string): Queue<TurnJobData> {
    return this.open(this.queues, name, this.connection);
  }

  /** The queue to lease from: on the worker connection, which waits a Redis outage out. */
  private leaser(name: string): Queue<TurnJobData> {
    if (this.workerConnection === this.connection) return this.queue(name);
    return this.open(this.leasers, name, this.workerConnection);
  }

  private open(map: Map<string, Queue<TurnJobData>>, name: string, connection: Redis): Queue<TurnJobData> {
    let q = map.get(name);
    if (!q) {
      const opts = {
        connection,
        prefix: this.opts.prefix,
        defaultJobOptions: { removeOnComplete: true, removeOnFail: 1000 },
        // The backend's moveToActive locks a leased job for the lockDuration of the options it was
        // built with, as a Worker's would.
        lockDuration: this.opts.lockMs,
        // Each queue would otherwise read Redis's whole INFO when first used: thousands of
        // workspaces, thousands of INFOs. The version is the same Redis's for all of them.
        skipVersionCheck: true,
      };
      q = new Queue<TurnJobData>(name, opts as QueueOptions);
      q.on('error', (err) => this.opts.onError?.(err));
      map.set(name, q);
    }
    return q;
  }
}
