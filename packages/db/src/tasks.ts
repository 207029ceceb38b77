import { and, asc, count, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { assertTransition, ConflictError, type TaskStatus } from '@switchyard/core';
import type { Db } from './client.ts';
import { encodePrefixed, insertRow, prepared, rowAsInserted, shapeOf, slots } from './prepared.ts';
import { taskEvents, tasks, turns } from './schema.ts';

export type TaskRow = typeof tasks.$inferSelect;
export type TurnRow = typeof turns.$inferSelect;
export type TaskEventRow = typeof taskEvents.$inferSelect;
export type NewTask = Omit<
  typeof tasks.$inferInsert,
  'status' | 'createdAt' | 'updatedAt' | 'queuedAt' | 'currentTurn'
>;

/** Inserts a queued task with its first turn and its first event. Call inside a transaction. */
export function insertTask(db: Db, values: NewTask, actor: string | null, now = Date.now()): TaskRow {
  const task = { ...values, status: 'queued', createdAt: now, updatedAt: now, queuedAt: now };
  const row = insertRow<TaskRow>(db, tasks, task);
  insertRow(db, turns, firstTurnOf(row));
  const event = { taskId: row.id, ts: now, fromStatus: null, toStatus: 'queued', actor, reason: 'created' };
  insertRow(db, taskEvents, event);
  return row;
}

/** The first turn of a task just created, as insertTask stores it. */
export function firstTurnOf(task: TaskRow): TurnRow {
  return rowAsInserted<TurnRow>(turns, { taskId: task.id, n: 1, prompt: task.prompt, status: 'queued', createdAt: task.createdAt });
}

export function findTask(db: Db, id: string): TaskRow | undefined {
  return prepared(db, 'findTask', (d) =>
    d.select().from(tasks).where(eq(tasks.id, sql.placeholder('id'))).prepare(),
  ).get({ id });
}

export function findTaskByIdempotencyKey(
  db: Db,
  createdBy: string,
  key: string,
): TaskRow | undefined {
  const stmt = prepared(db, 'findTaskByIdempotencyKey', (d) =>
    d
      .select()
      .from(tasks)
      .where(
        and(eq(tasks.createdBy, sql.placeholder('createdBy')), eq(tasks.idempotencyKey, sql.placeholder('key'))),
      )
      .prepare(),
  );
  return stmt.get({ createdBy, key });
}

/** The statement that sets `keys` (placeholders `s_<key>`) on the task `w_id`, optionally only from status `w_status`. */
function taskUpdate(db: Db, keys: string[], fromStatus: boolean) {
  return prepared(db, `update:tasks:${fromStatus}:${keys.join(',')}`, (d) => {
    const id = eq(tasks.id, sql.placeholder('w_id'));
    const where = fromStatus ? and(id, eq(tasks.status, sql.placeholder('w_status'))) : id;
    return d
      .update(tasks)
      .set(slots(keys, 's_') as never)
      .where(where)
      .returning()
      .prepare();
  });
}

export function listTasksByStatus(db: Db, statuses: TaskStatus[]): TaskRow[] {
  return db.select().from(tasks).where(inArray(tasks.status, statuses)).orderBy(asc(tasks.createdAt)).all();
}

export interface TransitionOptions {
  reason?: string | null;
  actor?: string | null;
  now?: number;
}

/**
 * Moves a task from its current status to `to`, applying `patch`, and records the event — both
 * in the caller's transaction. Refuses a transition the state machine does not allow, and one
 * that lost a race (the row's status is no longer `task.status`).
 */
export function transitionTask(
  db: Db,
  task: TaskRow,
  to: TaskStatus,
  patch: Partial<TaskRow> = {},
  opts: TransitionOptions = {},
): TaskRow {
  const from = task.status as TaskStatus;
  assertTransition(from, to);
  const now = opts.now ?? Date.now();
  const set = { ...patch, status: to, updatedAt: now };
  const keys = shapeOf(set);
  const row = taskUpdate(db, keys, true).get({ ...encodePrefixed(tasks, set, 's_'), w_id: task.id, w_status: from });
  if (!row) throw new ConflictError(`task ${task.id} changed status meanwhile`, { from, to });
  const event = {
    taskId: task.id,
    ts: now,
    fromStatus: from,
    toStatus: to,
    reason: opts.reason ?? null,
    actor: opts.actor ?? null,
  };
  insertRow(db, taskEvents, event);
  return row;
}

/** Changes fields that are not the status (lease token, counters). */
export function updateTask(db: Db, id: string, patch: Partial<TaskRow>, now = Date.now()): TaskRow {
  const set = { ...patch, updatedAt: now };
  return taskUpdate(db, shapeOf(set), false).get({ ...encodePrefixed(tasks, set, 's_'), w_id: id })!;
}

export function listTaskEvents(db: Db, taskId: string): TaskEventRow[] {
  return db.select().from(taskEvents).where(eq(taskEvents.taskId, taskId)).orderBy(asc(taskEvents.id)).all();
}

export function countTasks(
  db: Db,
  where: { teamId?: string; workspaceId?: string; statuses: TaskStatus[] },
): number {
  const { teamId, workspaceId, statuses } = where;
  const key = `countTasks:${statuses.join(',')}:${!!teamId}:${!!workspaceId}`;
  const stmt = prepared(db, key, (d) => {
    const conds: SQL[] = [inArray(tasks.status, statuses)];
    if (teamId) conds.push(eq(tasks.teamId, sql.placeholder('teamId')));
    if (workspaceId) conds.push(eq(tasks.workspaceId, sql.placeholder('workspaceId')));
    return d.select({ n: count() }).from(tasks).where(and(...conds)).prepare();
  });
  return stmt.get({ teamId, workspaceId })?.n ?? 0;
}

export function insertTurn(db: Db, taskId: string, n: number, prompt: string, now = Date.now()): TurnRow {
  return db
    .insert(turns)
    .values({ taskId, n, prompt, status: 'queued', createdAt: now })
    .returning()
    .get();
}

export function findTurn(db: Db, taskId: string, n: number): TurnRow | undefined {
  const stmt = prepared(db, 'findTurn', (d) =>
    d
      .select()
      .from(turns)
      .where(and(eq(turns.taskId, sql.placeholder('taskId')), eq(turns.n, sql.placeholder('n'))))
      .prepare(),
  );
  return stmt.get({ taskId, n });
}

export function listTurns(db: Db, taskId: string): TurnRow[] {
  const stmt = prepared(db, 'listTurns', (d) =>
    d.select().from(turns).where(eq(turns.taskId, sql.placeholder('taskId'))).orderBy(asc(turns.n)).prepare(),
  );
  return stmt.all({ taskId });
}

export function updateTurn(db: Db, taskId: string, n: number, patch: Partial<TurnRow>): void {
  db.update(turns).set(patch).where(and(eq(turns.taskId, taskId), eq(turns.n, n))).run();
}

/** The queued task of a workspace that has waited longest. */
export function oldestQueued(db: Db, workspaceId: string): TaskRow | undefined {
  return db
    .select()
    .from(tasks)
    .where(and(eq(tasks.workspaceId, workspaceId), eq(tasks.status, 'queued')))
    .orderBy(asc(tasks.queuedAt))
    .limit(1)
    .get();
}

/** What the reconciler compares of a live task with Redis. */
export interface LiveTask {
  id: string;
  status: TaskStatus;
  jobId: string | null;
  queueName: string | null;
  agentId: string | null;
  createdAt: number;
  updatedAt: number;
}

/**
 * The tasks in `status` after `after` (oldest first: created_at, then id), `limit` of them, as a
 * few columns only: one range of the `tasks_status` index, whatever the history holds. Read a
 * page at a time, a backlog of any size costs its reader a page of memory.
 */
export function liveTasksPage(db: Db, status: TaskStatus, after: Pick<LiveTask, 'createdAt' | 'id'> | null, limit: number): LiveTask[] {
  const stmt = prepared(db, 'liveTasksPage', (d) =>
    d.$client.prepare(
      `select id, status, job_id as jobId, queue_name as queueName, agent_id as agentId, created_at as createdAt, updated_at as updatedAt
       from tasks where status = ? and (created_at, id) > (?, ?) order by created_at, id limit ?`,
    ),
  );
  return stmt.all(status, after?.createdAt ?? -Infinity, after?.id ?? '', limit) as LiveTask[];
}

/**
 * How many waiting tasks (queued or rate-limited) name a job in each queue; tasks naming no job
 * are counted under null. One pass over the `tasks_status` range, a count per queue kept.
 */
export function waitingTasksPerQueue(db: Db): Map<string | null, number> {
  const stmt = prepared(db, 'waitingTasksPerQueue', (d) =>
    d.$client.prepare(
      `select case when job_id is null then null else queue_name end as queueName, count(*) as n
       from tasks where status in ('queued', 'rate_limited') group by 1`,
    ),
  );
  const rows = stmt.all() as { queueName: string | null; n: number }[];
  return new Map(rows.map((r) => [r.queueName, r.n]));
}

/** The status of task `id`, the job it names and that job's queue, or undefined: a primary key probe. */
export function taskJobOf(db: Db, id: string): Pick<LiveTask, 'status' | 'jobId' | 'queueName'> | undefined {
  const stmt = prepared(db, 'taskJobOf', (d) => d.$client.prepare('select status, job_id as jobId, queue_name as queueName from tasks where id = ?'));
  return stmt.get(id) as Pick<LiveTask, 'status' | 'jobId' | 'queueName'> | undefined;
}
