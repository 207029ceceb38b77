import {
  AuditEntrySchema,
  TaskViewSchema,
  TeamDailySchema,
  WorkspaceSeriesSchema,
  type AuditEntry,
  type TeamDaily,
  type WorkspaceSeries,
} from '@switchyard/core';
import type { TaskPage, TaskListQuery } from './client.ts';
import type { Http, Schema } from './http.ts';
import { nullable, objectOf, str } from './shapes.ts';

const TaskPageSchema: Schema<TaskPage> = objectOf({ tasks: TaskViewSchema.array(), nextCursor: nullable(str) });

export interface AuditPage {
  entries: AuditEntry[];
  nextCursor: string | null;
}
const AuditPageSchema: Schema<AuditPage> = objectOf({ entries: AuditEntrySchema.array(), nextCursor: nullable(str) });

export interface AuditQuery {
  limit?: number;
  cursor?: string;
  action?: string;
  target?: string;
}

/** Search, chart series and the audit log: what the dashboard reads besides tasks and fleet. */
export function dashboardResources(http: Http) {
  return {
    search: {
      /** Tasks whose prompts or results hold every word of `q` (FTS5 on the API), newest first. */
      tasks(q: TaskListQuery & { q: string }): Promise<TaskPage> {
        const status = Array.isArray(q.status) ? q.status.join(',') : q.status;
        return http.json('GET', '/v1/search/tasks', TaskPageSchema, { query: { ...q, status } });
      },
    },
    stats: {
      /** Queue depth and running tasks per workspace over the last `minutes` (default 60). */
      workspaces: (q: { minutes?: number; workspace?: string } = {}): Promise<WorkspaceSeries> =>
        http.json('GET', '/v1/stats/workspaces', WorkspaceSeriesSchema, { query: q }),
      /** Tasks and spend per team per UTC day over the last `days` (default 30). */
      teams: (q: { days?: number; team?: string } = {}): Promise<TeamDaily> =>
        http.json('GET', '/v1/stats/teams', TeamDailySchema, { query: q }),
    },
    audit: {
      /** A page of the audit log, newest first (admin tokens). */
      list: (q: AuditQuery = {}): Promise<AuditPage> => http.json('GET', '/v1/audit', AuditPageSchema, { query: { ...q } }),
    },
  };
}
