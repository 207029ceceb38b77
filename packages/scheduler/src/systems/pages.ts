import type { TaskStatus } from '@switchyard/core';
import { liveTasksPage, type LiveTask } from '@switchyard/db';
import type { JobListState } from '../queues.ts';
import type { SchedulerResources } from './resources.ts';

// The reconciler reads both sides of a full comparison a page of `reconcilePageSize` at a time:
// its memory is a page, whatever the backlog.

/** The ids of the jobs queue `name` holds in `state`, a page at a time. */
export async function* jobPages(r: SchedulerResources, name: string, state: JobListState): AsyncGenerator<string[]> {
  const size = r.config.reconcilePageSize;
  for (let start = 0; ; start += size) {
    const ids = await r.queues.jobIdsPage(name, state, start, size);
    if (ids.length > 0) yield ids;
    if (ids.length < size) return;
  }
}

/** The live rows in `status`, a page at a time, with a turn of the event loop between pages. */
export async function* rowPages(r: SchedulerResources, status: TaskStatus): AsyncGenerator<LiveTask[]> {
  const size = r.config.reconcilePageSize;
  for (let after: LiveTask | null = null; ; ) {
    const rows = liveTasksPage(r.db.db, status, after, size);
    if (rows.length > 0) yield rows;
    if (rows.length < size) return;
    after = rows[rows.length - 1]!;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
