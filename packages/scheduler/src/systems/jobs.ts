import { findTask, transitionTask, updateTask, type TaskRow } from '@switchyard/db';
import { poolQueueName, workspaceQueueName } from '../queues.ts';
import { emitTask, type SchedulerResources } from './resources.ts';
import type { WorkspaceState } from './workspace-state.ts';

/** The queue a task's turns wait in: its workspace's, or its team pool's until it is placed. */
export function queueOf(task: Pick<TaskRow, 'workspaceId' | 'teamId'>): string {
  return task.workspaceId ? workspaceQueueName(task.workspaceId) : poolQueueName(task.teamId);
}

/**
 * A pool task that goes back to waiting before claude ever started is no longer pinned to the
 * workspace that leased it: any ready pool workspace may take it (that one's agent may be gone for
 * good). Once it started, its session lives in that workspace and it stays there.
 */
export function unpinned(task: Pick<TaskRow, 'queueName' | 'teamId' | 'startedAt'>): { workspaceId?: null } {
  return task.startedAt === null && task.queueName === poolQueueName(task.teamId) ? { workspaceId: null } : {};
}

/** The job of a task's current turn: put in its queue, taken out, given back. */
export class JobSystem {
  constructor(
    private readonly r: SchedulerResources,
    private readonly workspaces: WorkspaceState,
  ) {}

  /**
   * Puts the task's current turn in its queue (after `delayMs`) and records the job, if the row
   * is still the one read (same turn, still waiting, same job): a kill or lease that came in
   * meanwhile wins, and the job just added is removed. False when it gave up. Throws if Redis does.
   */
  async enqueue(task: TaskRow, delayMs = 0): Promise<boolean> {
    const { db, clock, queues } = this.r;
    const name = queueOf(task);
    const data = { taskId: task.id, turn: task.currentTurn };
    const jobId = await queues.add(name, data, { priority: task.priority, delayMs });
    const kept = db.tx(() => {
      const cur = findTask(db.db, task.id);
      if (!cur) return false;
      if (cur.jobId === jobId) return true; // leased already, by this very job
      const waiting = cur.status === 'queued' || cur.status === 'rate_limited';
      if (!waiting || cur.currentTurn !== task.currentTurn || cur.jobId !== task.jobId) return false;
      updateTask(db.db, task.id, { jobId, queueName: name, leaseToken: null }, clock());
      return true;
    });
    if (!kept) {
      this.r.logger.info({ taskId: task.id, jobId }, 'task changed while enqueueing; job withdrawn');
      await queues.remove(name, jobId).catch(() => undefined);
      return false;
    }
    this.workspaces.wakeFor(task, delayMs);
    return true;
  }

  /** A task let go of its slot outside a turn report: who the slot can help looks again. */
  freed(task: Pick<TaskRow, 'workspaceId' | 'teamId'>): void {
    this.workspaces.slotFreed(task);
  }

  /** Ends the current job of a task, whatever state it is in. Never throws. */
  async dropJob(task: TaskRow): Promise<void> {
    if (!task.jobId || !task.queueName) return;
    try {
      await this.r.queues.discard(task.queueName, task.jobId, task.leaseToken);
    } catch (err) {
      this.r.logger.warn({ err, taskId: task.id, jobId: task.jobId }, 'could not remove job');
    }
  }

  /** A dispatched turn that never started goes back to the front of its queue. */
  async returnLease(task: TaskRow, reason: string): Promise<void> {
    const { db, clock, hub } = this.r;
    const patch = { agentId: null, leaseToken: null, ...unpinned(task) };
    const row = db.tx(() => transitionTask(db.db, task, 'queued', patch, { reason, now: clock() }));
    emitTask(hub, row);
    try {
      if (await this.backToWait(task)) return void this.workspaces.wakeFor(row);
    } catch (err) {
      this.r.logger.warn(
        { err, taskId: task.id },
        'could not return the leased job; enqueueing anew',
      );
      await this.dropJob(task);
    }
    await this.enqueueOrLeave(findTask(db.db, task.id)!);
  }

  /**
   * Enqueues a turn whose row SQLite already holds as waiting; if Redis is away, leaves it to
   * the reconciler, which enqueues waiting rows with no job once Redis is back. Never throws.
   */
  async enqueueOrLeave(task: TaskRow, delayMs = 0): Promise<void> {
    try {
      await this.enqueue(task, delayMs);
    } catch (err) {
      this.r.logger.warn({ err, taskId: task.id }, 'could not enqueue; the reconciler will');
    }
  }

  /** Sends the leased job back to wait (delayed); the same job keeps the turn's place. */
  async requeueSameJob(leased: TaskRow, task: TaskRow, delayMs: number): Promise<void> {
    const { db, clock, queues } = this.r;
    try {
      const { jobId, queueName, leaseToken } = leased;
      if (
        jobId &&
        queueName &&
        leaseToken &&
        (await queues.delay(queueName, jobId, leaseToken, delayMs))
      ) {
        updateTask(db.db, task.id, { leaseToken: null }, clock());
        return void this.workspaces.wakeFor(task, delayMs);
      }
    } catch (err) {
      this.r.logger.warn(
        { err, taskId: task.id },
        'could not delay the leased job; enqueueing anew',
      );
      await this.dropJob(leased);
    }
    await this.enqueueOrLeave(findTask(db.db, task.id)!, delayMs);
  }

  private async backToWait(task: TaskRow): Promise<boolean> {
    const { jobId, queueName, leaseToken } = task;
    if (!jobId || !queueName || !leaseToken) return false;
    return this.r.queues.returnToWait(queueName, jobId, leaseToken);
  }
}
