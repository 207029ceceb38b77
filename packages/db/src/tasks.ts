import { and, asc, count, desc, eq, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import { assertTransition, ConflictError, type TaskStatus } from '@switchyard/core';
import type { Db } from './client.ts';
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
  const row = db
    .insert(tasks)
    .values({ ...values, status: 'queued', createdAt: now, updatedAt: now, queuedAt: now })
    .returning()
    .get();
  db.insert(turns)
    .values({ taskId: row.id, n: 1, prompt: row.prompt, status: 'queued', createdAt: now })
    .run();
  db.insert(taskEvents)
    .values({ taskId: row.id, ts: now, fromStatus: null, toStatus: 'queued', actor, reason: 'created' })
    .run();
  return row;
}

export function findTask(db: Db, id: string): TaskRow | undefined {
  return db.select().from(tasks).where(eq(tasks.id, id)).get();
}

export function findTaskByIdempotencyKey(
  db: Db,
  createdBy: string,
  key: string,
): TaskRow | undefined {
  return db
    .select()
    .from(tasks)
    .where(and(eq(tasks.createdBy, createdBy), eq(tasks.idempotencyKey, key)))
    .get();
}

export interface TaskFilter {
  teamId?: string;
  workspaceId?: string;
  statuses?: TaskStatus[];
  /** Keyset cursor: tasks created before this (createdAt, id). */
  before?: { createdAt: number; id: string };
  limit: number;
}

/** Newest first. */
export function listTasks(db: Db, f: TaskFilter): TaskRow[] {
  const where: (SQL | undefined)[] = [];
  if (f.teamId) where.push(eq(tasks.teamId, f.teamId));
  if (f.workspaceId) where.push(eq(tasks.workspaceId, f.workspaceId));
  if (f.statuses?.length) where.push(inArray(tasks.status, f.statuses));
  if (f.before) {
    where.push(
      or(
        lt(tasks.createdAt, f.before.createdAt),
        and(eq(tasks.createdAt, f.before.createdAt), lt(tasks.id, f.before.id)),
      ),
    );
  }
  return db
    .select()
    .from(tasks)
    .where(and(...where))
    .orderBy(desc(tasks.createdAt), desc(tasks.id))
    .limit(f.limit)
    .all();
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
  const row = db
    .update(tasks)
    .set({ ...patch, status: to, updatedAt: now })
    .where(and(eq(tasks.id, task.id), eq(tasks.status, from)))
    .returning()
    .get();
  if (!row) throw new ConflictError(`task ${task.id} changed status meanwhile`, { from, to });
  db.insert(taskEvents)
    .values({
      taskId: task.id,
      ts: now,
      fromStatus: from,
      toStatus: to,
      reason: opts.reason ?? null,
      actor: opts.actor ?? null,
    })
    .run();
  return row;
}

/** Changes fields that are not the status (lease token, counters). */
export function updateTask(db: Db, id: string, patch: Partial<TaskRow>, now = Date.now()): TaskRow {
  return db
    .update(tasks)
    .set({ ...patch, updatedAt: now })
    .where(eq(tasks.id, id))
    .returning()
    .get()!;
}

export function listTaskEvents(db: Db, taskId: string): TaskEventRow[] {
  return db.select().from(taskEvents).where(eq(taskEvents.taskId, taskId)).orderBy(asc(taskEvents.id)).all();
}

export function countTasks(
  db: Db,
  where: { teamId?: string; workspaceId?: string; statuses: TaskStatus[] },
): number {
  const conds: SQL[] = [inArray(tasks.status, where.statuses)];
  if (where.teamId) conds.push(eq(tasks.teamId, where.teamId));
  if (where.workspaceId) conds.push(eq(tasks.workspaceId, where.workspaceId));
  return db.select({ n: count() }).from(tasks).where(and(...conds)).get()?.n ?? 0;
}

export function countTasksCreatedSince(db: Db, teamId: string, since: number): number {
  return (
    db
      .select({ n: count() })
      .from(tasks)
      .where(and(eq(tasks.teamId, teamId), sql`${tasks.createdAt} >= ${since}`))
      .get()?.n ?? 0
  );
}

/** Cost of the team's turns that finished since `since`. */
export function sumTeamCostSince(db: Db, teamId: string, since: number): number {
  const row = db
    .select({ total: sql<number>`coalesce(sum(${turns.costUsd}), 0)` })
    .from(turns)
    .innerJoin(tasks, eq(tasks.id, turns.taskId))
    .where(and(eq(tasks.teamId, teamId), sql`${turns.finishedAt} >= ${since}`))
    .get();
  return row?.total ?? 0;
}

export function insertTurn(db: Db, taskId: string, n: number, prompt: string, now = Date.now()): TurnRow {
  return db
    .insert(turns)
    .values({ taskId, n, prompt, status: 'queued', createdAt: now })
    .returning()
    .get();
}

export function findTurn(db: Db, taskId: string, n: number): TurnRow | undefined {
  return db.select().from(turns).where(and(eq(turns.taskId, taskId), eq(turns.n, n))).get();
}

export function listTurns(db: Db, taskId: string): TurnRow[] {
  return db.select().from(turns).where(eq(turns.taskId, taskId)).orderBy(asc(turns.n)).all();
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
