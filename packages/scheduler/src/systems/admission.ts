import { NotFoundError, QuotaExceededError, UnavailableError } from '@switchyard/core';
import {
  countTasks,
  countTasksCreatedSince,
  findTask,
  findTeam,
  insertTask,
  sumTeamCostSince,
  writeAudit,
  type AuditEntry,
  type Db,
  type NewTask,
  type TaskRow,
  type TeamRow,
} from '@switchyard/db';
import type { JobSystem } from './jobs.ts';
import { ACTIVE, emitTask, type SchedulerResources } from './resources.ts';

export function startOfUtcDay(t: number): number {
  const d = new Date(t);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}

export function startOfUtcMonth(t: number): number {
  const d = new Date(t);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

function nextUtcMonth(t: number): number {
  const d = new Date(t);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

export interface TeamUsageNumbers {
  running: number;
  queued: number;
  tasksToday: number;
  monthSpendUsd: number;
}

export function teamUsage(db: Db, teamId: string, t: number): TeamUsageNumbers {
  return {
    running: countTasks(db, { teamId, statuses: ACTIVE }),
    queued: countTasks(db, { teamId, statuses: ['queued', 'rate_limited'] }),
    tasksToday: countTasksCreatedSince(db, teamId, startOfUtcDay(t)),
    monthSpendUsd: sumTeamCostSince(db, teamId, startOfUtcMonth(t)),
  };
}

/**
 * Refuses a new task that would pass one of the team's limits, saying which and when it frees.
 * The running limit is not checked here: past it, work waits in the queue.
 */
export function admitTask(db: Db, team: TeamRow, t: number): void {
  const u = teamUsage(db, team.id, t);
  if (team.maxQueued !== null && u.queued >= team.maxQueued) {
    throw new QuotaExceededError(
      `team ${team.name} has ${u.queued} tasks waiting, its limit is ${team.maxQueued}`,
      { limit: 'maxQueued', max: team.maxQueued, current: u.queued, resetsAt: null },
    );
  }
  if (team.tasksPerDay !== null && u.tasksToday >= team.tasksPerDay) {
    throw new QuotaExceededError(
      `team ${team.name} created ${u.tasksToday} tasks today, its limit is ${team.tasksPerDay}`,
      {
        limit: 'tasksPerDay',
        max: team.tasksPerDay,
        current: u.tasksToday,
        resetsAt: new Date(startOfUtcDay(t) + 86_400_000).toISOString(),
      },
    );
  }
  if (team.monthlyBudgetUsd !== null && u.monthSpendUsd >= team.monthlyBudgetUsd) {
    throw new QuotaExceededError(
      `team ${team.name} spent $${u.monthSpendUsd.toFixed(2)} this month, its budget is $${team.monthlyBudgetUsd}`,
      {
        limit: 'monthlyBudgetUsd',
        max: team.monthlyBudgetUsd,
        current: u.monthSpendUsd,
        resetsAt: new Date(nextUtcMonth(t)).toISOString(),
      },
    );
  }
}

/** New tasks: checked against the team's quotas, stored, and put in their queue. */
export class AdmissionSystem {
  constructor(
    private readonly r: SchedulerResources,
    private readonly jobs: JobSystem,
  ) {}

  /**
   * Admits, stores and enqueues a new task; `audit` is written in the same transaction.
   * SQLite first (the quota check, the row and its audit in one transaction), then the job; if
   * Redis refuses the job, the row, its turn, its event and its audit are deleted again before
   * the caller hears 503, so a client told "failed" retries without a duplicate. The other order
   * would leave a job with no row, which a lease in between would drop as stale. No one hears of
   * the task before its job exists, and the reconciler leaves young rows alone.
   */
  async createTask(
    values: NewTask,
    actor: string | null,
    audit?: Omit<AuditEntry, 'targetId'>,
  ): Promise<TaskRow> {
    const { db, clock } = this.r;
    const team = findTeam(db.db, values.teamId);
    if (!team) throw new NotFoundError('team', values.teamId);
    const task = db.tx(() => {
      const t = clock();
      admitTask(db.db, team, t);
      const row = insertTask(db.db, values, actor, t);
      if (audit) writeAudit(db.db, { ...audit, targetId: row.id }, t);
      return row;
    });
    try {
      await this.jobs.enqueue(task);
    } catch (err) {
      this.withdraw(task.id);
      this.r.logger.warn({ err, taskId: task.id }, 'create withdrawn: the queue is unavailable');
      throw new UnavailableError('the queue (Redis) is unavailable; the task was not created', {
        cause: err,
      });
    }
    return emitTask(this.r.hub, findTask(db.db, task.id)!);
  }

  /** Deletes every row a create wrote. A repository function in packages/db should own this. */
  private withdraw(taskId: string): void {
    const { sqlite, tx } = this.r.db;
    tx(() => {
      for (const table of ['output_lines', 'task_events', 'turns']) {
        sqlite.prepare(`delete from ${table} where task_id = ?`).run(taskId);
      }
      const audit = "delete from audit_log where target_type = 'task' and target_id = ?";
      sqlite.prepare(audit).run(taskId);
      sqlite.prepare('delete from tasks where id = ?').run(taskId);
    });
  }
}
