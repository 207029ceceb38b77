import { inArray } from 'drizzle-orm';
import { TASK_STATUSES, type TaskStatus } from '@switchyard/core';
import type { Db } from './client.ts';
import { prepared } from './prepared.ts';
import { tasks } from './schema.ts';
import type { TaskRow } from './tasks.ts';

export interface TaskFilter {
  teamId?: string;
  workspaceId?: string;
  statuses?: TaskStatus[];
  /** Keyset cursor: tasks created before this (createdAt, id). */
  before?: { createdAt: number; id: string };
  limit: number;
}

interface Key {
  id: string;
  createdAt: number;
}

/**
 * Newest first (`createdAt`, then `id`, descending), at most `limit`, after the cursor. A page
 * costs what it returns, whatever the history: it reads at most `limit` entries per status from
 * an index already in that order (`tasks_team_status`, `tasks_workspace_status` or
 * `tasks_status`: status, then created_at and id; migration 0010), merges them, and then reads
 * the page's rows. (One query over a team's tasks sorted all of them for every page: 1.3–2.1 s a
 * page with a million tasks.)
 */
export function listTasks(db: Db, f: TaskFilter): TaskRow[] {
  // One read transaction: every query sees the same snapshot, so a task that changes status
  // between two of them is neither listed twice nor missed.
  return db.$client.transaction(() => {
    const keys: Key[] = [];
    for (const status of f.statuses?.length ? new Set(f.statuses) : TASK_STATUSES) keys.push(...newestOf(db, f, status));
    keys.sort(newestFirst);
    const page = keys.slice(0, f.limit);
    if (page.length === 0) return [];
    const rows = db.select().from(tasks).where(inArray(tasks.id, page.map((k) => k.id))).all();
    return rows.sort(newestFirst);
  })();
}

const newestFirst = (a: Key, b: Key): number => b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/** The keys of the newest `limit` tasks in `status` that match the filter: one index range. */
function newestOf(db: Db, f: TaskFilter, status: TaskStatus): Key[] {
  const shape = { team: !!f.teamId, workspace: !!f.workspaceId, before: !!f.before };
  const stmt = prepared(db, `listTasks:${shape.team}:${shape.workspace}:${shape.before}`, (d) => d.$client.prepare(newestSql(shape)));
  return stmt.all({ teamId: f.teamId, workspaceId: f.workspaceId, status, ...f.before, limit: f.limit }) as Key[];
}

/** The statement `newestOf` runs for a filter of this shape. */
export function newestSql(shape: { team: boolean; workspace: boolean; before: boolean }): string {
  const where = [
    shape.team ? 'team_id = @teamId' : null,
    shape.workspace ? 'workspace_id = @workspaceId' : null,
    'status = @status',
    shape.before ? '(created_at, id) < (@createdAt, @id)' : null,
  ].filter(Boolean);
  return `select id, created_at as createdAt from tasks where ${where.join(' and ')} order by created_at desc, id desc limit @limit`;
}
