import { randomUUID } from 'node:crypto';
import { Job, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';

export interface TurnJobData {
  taskId: string;
  turn: number;
}

/** Queue names carry a Redis Cluster hash tag and no `:` (BullMQ's key separator). */
export function workspaceQueueName(workspaceId: string): string {
  return `{ws-${workspaceId}}`;
}

export function poolQueueName(teamId: string): string {
  return `{pool-${teamId}}`;
}

/** Higher Switchyard priority runs first; BullMQ runs lower numbers first (1 is highest). */
export function bullPriority(priority: number): number {
  return Math.max(1, 1001 - priority);
}

/**
 * The BullMQ objects the API holds: one Queue per name (cheap, shares the connection) and a
 * small LRU of processor-less Workers used only to lease with getNextJob — never one worker
 * per workspace forever, and no QueueEvents.
 */
export class QueueRegistry {
  private readonly queues = new Map<string, Queue<TurnJobData>>();
  private readonly workers = new Map<string, Worker<TurnJobData>>();

  constructor(
    private readonly connection: Redis,
    private readonly opts: { prefix: string; lockMs: number; maxWorkers: number },
  ) {}

  queue(name: string): Queue<TurnJobData> {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue<TurnJobData>(name, {
        connection: this.connection,
        prefix: this.opts.prefix,
        defaultJobOptions: { removeOnComplete: true, removeOnFail: 1000 },
      });
      this.queues.set(name, q);
    }
    return q;
  }

  /** A processor-less worker for leasing from `name`. */
  worker(name: string): Worker<TurnJobData> {
    let w = this.workers.get(name);
    if (w) {
      // Refresh its place in the LRU.
      this.workers.delete(name);
      this.workers.set(name, w);
      return w;
    }
    w = new Worker<TurnJobData>(name, null, {
      connection: this.connection,
      prefix: this.opts.prefix,
      autorun: false,
      lockDuration: this.opts.lockMs,
      // A Claude session is never re-run behind our back: a stalled job fails instead.
      maxStalledCount: 0,
      skipStalledCheck: true,
      skipLockRenewal: true,
    });
    this.workers.set(name, w);
    if (this.workers.size > this.opts.maxWorkers) {
      const [oldest, worker] = this.workers.entries().next().value!;
      this.workers.delete(oldest);
      void worker.close().catch(() => undefined);
    }
    return w;
  }

  async add(name: string, data: TurnJobData, opts: { priority: number; delayMs?: number }): Promise<string> {
    const jobId = `${data.taskId}-${data.turn}-${randomUUID().slice(0, 8)}`;
    await this.queue(name).add('turn', data, {
      jobId,
      priority: bullPriority(opts.priority),
      ...(opts.delayMs && opts.delayMs > 0 ? { delay: opts.delayMs } : {}),
    });
    return jobId;
  }

  async lease(name: string): Promise<{ job: Job<TurnJobData>; token: string } | null> {
    const token = randomUUID();
    const job = await this.worker(name).getNextJob(token, { block: false });
    return job ? { job, token } : null;
  }

  async job(name: string, jobId: string): Promise<Job<TurnJobData> | undefined> {
    return Job.fromId<TurnJobData>(this.queue(name), jobId);
  }

  async extendLocks(name: string, jobIds: string[], tokens: string[]): Promise<void> {
    if (jobIds.length === 0) return;
    await this.worker(name).extendJobLocks(jobIds, tokens, this.opts.lockMs);
  }

  async close(): Promise<void> {
    const all = [...this.workers.values(), ...this.queues.values()];
    await Promise.allSettled(all.map((x) => x.close()));
    this.workers.clear();
    this.queues.clear();
  }
}
