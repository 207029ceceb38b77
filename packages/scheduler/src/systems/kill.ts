import { isTerminal, NotFoundError, type TaskStatus } from '@switchyard/core';
import {
  findTask,
  listTurns,
  transitionTask,
  updateTask,
  updateTurn,
  writeAudit,
  type AuditEntry,
  type TaskRow,
} from '@switchyard/db';
import type { JobSystem } from './jobs.ts';
import { emitTask, type SchedulerResources } from './resources.ts';

/** Kill: a task that never started is cancelled; a running one is stopped by its agent. */
export class KillSystem {
  constructor(
    private readonly r: SchedulerResources,
    private readonly jobs: JobSystem,
  ) {}

  /** Kills the task; `audit` is written in the transaction that records the request. */
  async kill(
    taskId: string,
    actor: string | null,
    reason = 'killed by request',
    audit?: AuditEntry,
  ): Promise<TaskRow> {
    const { db: h, clock, hub } = this.r;
    const task = findTask(h.db, taskId);
    if (!task) throw new NotFoundError('task', taskId);
    if (isTerminal(task.status as TaskStatus)) {
      // Nothing changes, but the request itself is on record.
      if (audit) h.tx(() => writeAudit(h.db, audit, clock()));
      return task;
    }
    if (task.status === 'running') {
      const killReason = `${reason}${actor ? ` (${actor})` : ''}`;
      const row = h.tx(() => {
        const t = clock();
        if (audit) writeAudit(h.db, audit, t);
        return updateTask(h.db, taskId, { killRequestedAt: t, killReason }, t);
      });
      emitTask(hub, row);
      if (row.workspaceId) hub.emit('wake', row.workspaceId);
      return row;
    }
    const row = h.tx(() => this.cancel(taskId, actor, reason, audit));
    emitTask(hub, row);
    await this.jobs.dropJob(task);
    if (task.workspaceId) hub.emit('wake', task.workspaceId);
    return row;
  }

  /** Queued, rate limited or dispatched but not started: it never runs. Call inside a tx. */
  private cancel(
    taskId: string,
    actor: string | null,
    reason: string,
    audit?: AuditEntry,
  ): TaskRow {
    const db = this.r.db.db;
    const t = this.r.clock();
    for (const turn of listTurns(db, taskId)) {
      if (turn.status === 'queued' || turn.status === 'rate_limited') {
        updateTurn(db, taskId, turn.n, { status: 'cancelled', finishedAt: t });
      }
    }
    if (audit) writeAudit(db, audit, t);
    const patch = { finishedAt: t, errorCode: 'cancelled', errorMessage: reason };
    return transitionTask(db, findTask(db, taskId)!, 'cancelled', patch, { reason, actor, now: t });
  }
}
