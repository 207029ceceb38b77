export { createScheduler, TurnNotCurrentError, OutputIncompleteError } from './scheduler.ts';
export type { Scheduler, SchedulerConfig, SchedulerDeps } from './scheduler.ts';
export { Hub } from './hub.ts';
export type { HubEvents } from './hub.ts';
export { rateLimitBackoffMs, retryBackoffMs } from './backoff.ts';
export { workspaceQueueName, poolQueueName, bullPriority } from './queues.ts';
export { admitTask, teamUsage, startOfUtcDay, startOfUtcMonth } from './admission.ts';
export type { TeamUsageNumbers } from './admission.ts';
