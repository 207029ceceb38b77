export { createScheduler } from './scheduler.ts';
export type { Scheduler, SchedulerConfig, SchedulerDeps } from './scheduler.ts';
// The agent-protocol errors live in core; re-exported for code that imported them from here.
export { TurnNotCurrentError, OutputIncompleteError } from '@switchyard/core';
export { Hub } from './hub.ts';
export type { HubEvents, WakeMark } from './hub.ts';
export { rateLimitBackoffMs, retryBackoffMs } from './backoff.ts';
export { workspaceQueueName, poolQueueName, bullPriority } from './queues.ts';
export { admitTask, teamUsage, startOfUtcDay, startOfUtcMonth } from './systems/admission.ts';
export type { TeamUsageNumbers } from './systems/admission.ts';
export type { ReconcileReport } from './systems/reconciler.ts';
