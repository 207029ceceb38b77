import { count, inArray, sql } from 'drizzle-orm';
import type { TaskStatus } from '@switchyard/core';
import type { Db } from './client.ts';
import { outputLines, tasks } from './schema.ts';

const WAITING: TaskStatus[] = ['queued', 'rate_limited'];

/** How many tasks have each status; statuses with none are absent. */
export function countTasksByStatus(db: Db): Map<string, number> {
  const rows = db.select({ status: tasks.status, n: count() }).from(tasks).groupBy(tasks.status).all();
  return new Map(rows.map((r) => [r.status, r.n]));
}

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
