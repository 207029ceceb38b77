import { count, inArray, sql } from 'drizzle-orm';
import type { TaskStatus } from '@switchyard/core';
import type { Db } from './client.ts';
import { prepared } from './prepared.ts';
import { outputLines, tasks } from './schema.ts';

const WAITING: TaskStatus[] = ['queued', 'rate_limited'];

/**
 * How many tasks have each status; statuses with none are absent. Read from the counters the
 * triggers of migration 0009 keep, not counted: a count was a scan of every task ever created.
 */
export function countTasksByStatus(db: Db): Map<string, number> {
  const rows = prepared(db, 'stats:byStatus', () => db.$client.prepare(STATUS_COUNTS)).all() as { status: string; n: number }[];
  return new Map(rows.map((r) => [r.status, r.n]));
}

export const STATUS_COUNTS = 'SELECT status, n FROM task_status_counts WHERE n > 0';

/** Tasks waiting (queued or rate-limited) per workspace; pool tasks come under a null workspace. */
export function countWaitingByWorkspace(db: Db): { workspaceId: string | null; n: number }[] {
  return db
    .select({ workspaceId: tasks.workspaceId, n: count() })
    .from(tasks)
    .where(inArray(tasks.status, WAITING))
    .groupBy(tasks.workspaceId)
    .all();
}

/** Output lines ever stored. Rows are never deleted, so the highest rowid counts them without a scan. */
export function countOutputLinesStored(db: Db): number {
  return db.select({ n: sql<number>`coalesce(max(rowid), 0)` }).from(outputLines).get()?.n ?? 0;
}
