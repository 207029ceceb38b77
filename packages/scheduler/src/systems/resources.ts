import type { Logger } from 'pino';
import type { TaskStatus } from '@switchyard/core';
import type { DbHandle, TaskRow } from '@switchyard/db';
import type { SchedulerConfig } from '../config.ts';
import type { Hub } from '../hub.ts';
import type { QueueAdapter } from '../queues.ts';

/**
 * What every system is handed, and the only way it reaches the outside: SQLite, the queues,
 * the in-process hub, the logger, the config and the clock (every timestamp comes from it).
 */
export interface SchedulerResources {
  db: DbHandle;
  queues: QueueAdapter;
  hub: Hub;
  logger: Logger;
  config: SchedulerConfig;
  clock: () => number;
}

/** Statuses that hold a slot: leased to an agent or running there. */
export const ACTIVE: TaskStatus[] = ['dispatched', 'running'];

/** Tells the hub a task's row changed; returns the row for chaining. */
export function emitTask(hub: Hub, task: TaskRow): TaskRow {
  hub.emit('task', task);
  return task;
}
