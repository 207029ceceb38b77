import { NotFoundError, QuotaExceededError, UnavailableError, type TaskStatus } from '@switchyard/core';
import {
  countTasks,
  countTasksCreatedOn,
  findTeam,
  insertTask,
  isUniqueViolation,
  sumTeamCostSince,
  writeAudit,
  type AuditEntry,
  type Db,
  type NewTask,
  type TaskRow,
  type TeamRow,
} from '@switchyard/db';
import { newJobId } from '../queues.ts';
import { queueOf, type JobSystem } from './jobs.ts';
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

/** Everything the team's usage report shows. Every figure is an indexed range or a rollup read. */
export function teamUsage(db: Db, teamId: string, t: number): TeamUsageNumbers {
  return {
    running: countTasks(db, { teamId, statuses: ACTIVE }),
    queued: countTasks(db, { teamId, statuses: WAITING }),
    tasksToday: countTasksCreatedOn(db, teamId, t),
    monthSpendUsd: sumTeamCostSince(db, teamId, startOfUtcMonth(t)),
  };
}

const WAITING: TaskStatus[] = ['queued', 'rate_limited'];

/**
 * Refuses a new task that would pass one of the team's limits, saying which and when it frees.
 * The running limit is not checked here: past it, work waits in the queue. Only the limits the
 * team has are counted, each from an index or the daily rollup kept in step with every create
 * and every cost: a team with no limit runs no query at all, and history costs nothing.
 */
export function admitTask(db: Db, team: TeamRow, t: number): void {
  if (team.maxQueued !== null) {
    const queued = countTasks(db, { teamId: team.id, statuses: WAITING });
    if (queued >= team.maxQueued) {
      throw new QuotaExceededError(
        `team ${team.name} has ${queued} tasks waiting, its limit is ${team.maxQueued}`,
        { limit: 'maxQueued', max: team.maxQueued, current: queued, resetsAt: null },
      );
    }
  }
  if (team.tasksPerDay !== null) {
    const today = countTasksCreatedOn(db, team.id, t);
    if (today >= team.tasksPerDay) {
      throw new QuotaExceededError(
        `team ${team.name} created ${today} tasks today, its limit is ${team.tasksPerDay}`,
        {
          limit: 'tasksPerDay',
          max: team.tasksPerDay,
          current: today,
          resetsAt: new Date(startOfUtcDay(t) + 86_400_000).toISOString(),
        },
      );
    }
  }
  if (team.monthlyBudgetUsd !== null) assertWithinBudget(db, team, team.monthlyBudgetUsd, t);
}

function assertWithinBudget(db: Db, team: TeamRow, budget: number, t: number): void {
  const spent = sumTeamCostSince(db, team.id, startOfUtcMonth(t));
  if (spent >= budget) {
    throw new QuotaExceededError(
      `team ${team.name} spent $${spent.toFixed(2)} this month, its budget is $${budget}`,
      {
        limit: 'monthlyBudgetUsd',
        max: budget,
        current: spent,
        resetsAt: new Date(nextUtcMonth(t)).toISOString(),
      },
    );
  }
}

/**
 * A quota refusal (admitTask writes nothing) or a duplicate Idempotency-Key (the task's own row,
 * the first write of a create, which SQLite undoes statement by statement).
 */
function refusedBeforeWriting(err: unknown): boolean {
  return err instanceof QuotaExceededError || isUniqueViolation(err, 'tasks.idempotency_key');
}

/** New tasks: checked against the team's quotas, stored, and put in their queue. */
export class AdmissionSystem {
  constructor(
    private readonly r: SchedulerResources,
    // Kept for the systems' wiring: the first job of a task is added here, under the id its row names.
    _jobs: JobSystem,
  ) {}

  /**
   * Admits, stores and enqueues a new task; `audit` is written in the same transaction.
   * SQLite first (the quota check, the row naming its job-to-be and its audit in one transaction,
   * committed with the other creates of the same moment), then the job under that id; if Redis
   * refuses the job, the row, its turn, its event and its audit are deleted again before the
   * caller hears 503, so a client told "failed" retries without a duplicate. The other order
   * would leave a job with no row, which a lease in between would drop as stale. No one hears of
   * the task before its job exists, and the reconciler leaves young rows alone.
   */
  async createTask(
    values: NewTask,
    actor: string | null,
    audit?: Omit<AuditEntry, 'targetId'>,
  ): Promise<TaskRow> {
    const { db, clock, queues } = this.r;
    const team = findTeam(db.db, values.teamId);
    if (!team) throw new NotFoundError('team', values.teamId);
    const queueName = queueOf({ teamId: values.teamId, workspaceId: values.workspaceId ?? null });
    const jobId = newJobId({ taskId: values.id, turn: 1 });
    const stored = await db.grouped((): { row: TaskRow } | { refused: unknown } => {
      const t = clock();
      try {
        admitTask(db.db, team, t);
        const row = insertTask(db.db, { ...values, jobId, queueName }, actor, t);
        if (audit) writeAudit(db.db, { ...audit, targetId: row.id }, t);
        return { row };
      } catch (err) {
        // Refused before anything of this create was written: answered as a value, so the other
        // creates of the batch commit as they ran rather than all being run again one by one.
        if (refusedBeforeWriting(err)) return { refused: err };
        throw err;
      }
    });
    if ('refused' in stored) throw stored.refused;
    const task = stored.row;
    try {
      await queues.add(queueName, { taskId: task.id, turn: 1 }, { priority: task.priority, jobId });
    } catch (err) {
      this.withdraw(task.id);
      this.r.logger.warn({ err, taskId: task.id }, 'create withdrawn: the queue is unavailable');
      throw new UnavailableError('the queue (Redis) is unavailable; the task was not created', {
        cause: err,
      });
    }
    // Its workspace's agents, or the team's idle pool agents, look for work now.
    if (task.workspaceId) this.r.hub.emit('wake', task.workspaceId);
    else this.r.hub.wakePool(task.teamId);
    return emitTask(this.r.hub, task);
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
