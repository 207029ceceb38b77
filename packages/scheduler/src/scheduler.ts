import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { DbHandle } from '@switchyard/db';
import { DEFAULT_CONFIG, type SchedulerConfig } from './config.ts';
import { Hub } from './hub.ts';
import { QueueAdapter } from './queues.ts';
import { createSystems } from './systems/index.ts';
import type { SchedulerResources } from './systems/resources.ts';

export type { SchedulerConfig } from './config.ts';

export interface SchedulerDeps {
  /** The queues' connection, used in request paths: it should fail fast while Redis is away. */
  redis: Redis;
  /** The leasing workers' connection (maxRetriesPerRequest null); `redis` when not given. */
  workerRedis?: Redis;
  db: DbHandle;
  logger: Logger;
  hub?: Hub;
  config?: Partial<SchedulerConfig>;
  /** The clock every timestamp the scheduler writes comes from; Date.now unless a test sets it. */
  now?: () => number;
}

export type Scheduler = ReturnType<typeof createScheduler>;

/**
 * Decides what runs where. SQLite is the record of truth for tasks; Redis (BullMQ) is the
 * record of what waits. Every status change goes through `transitionTask` in one transaction.
 * This is the facade: the work is done by the systems in ./systems over one resource bag.
 */
export function createScheduler(deps: SchedulerDeps) {
  const config: SchedulerConfig = { ...DEFAULT_CONFIG, ...deps.config };
  const queueOpts = {
    prefix: config.prefix,
    lockMs: config.graceSec * 1000,
    onError: (err: Error) => deps.logger.debug({ err: err.message }, 'queue connection error'),
    opTimeoutMs: config.queueOpTimeoutMs,
  };
  const queues = new QueueAdapter(deps.redis, queueOpts, deps.workerRedis);
  const resources: SchedulerResources = {
    db: deps.db,
    queues,
    hub: deps.hub ?? new Hub(),
    logger: deps.logger,
    config,
    clock: deps.now ?? Date.now,
  };
  const s = createSystems(resources);
  const timers: NodeJS.Timeout[] = [];

  return {
    hub: resources.hub,
    config,
    createTask: s.admission.createTask.bind(s.admission),
    enqueue: s.jobs.enqueue.bind(s.jobs),
    lease: s.leasing.lease.bind(s.leasing),
    heartbeat: s.heartbeat.heartbeat.bind(s.heartbeat),
    turnStarted: s.turns.turnStarted.bind(s.turns),
    turnFinished: s.turns.turnFinished.bind(s.turns),
    followUp: s.turns.followUp.bind(s.turns),
    kill: s.kill.kill.bind(s.kill),
    reconcile: s.reconciler.reconcile.bind(s.reconciler),
    lastReconcile: s.reconciler.lastReport.bind(s.reconciler),
    workspaceChanged: s.workspaces.changed.bind(s.workspaces),
    teamChanged: s.workspaces.teamChanged.bind(s.workspaces),
    sweep: s.sweeps.sweep.bind(s.sweeps),
    workspaceProblems: s.workspaces.problems.bind(s.workspaces),
    isOnline: s.workspaces.isOnline.bind(s.workspaces),
    /** Repairs what a restart left behind, then sweeps and reconciles on timers. */
    async start(): Promise<void> {
      await s.reconciler.reconcile();
      timers.push(setInterval(() => void s.sweeps.sweep(), config.sweepEveryMs));
      timers.push(
        setInterval(() => {
          s.reconciler.reconcileIfDue().catch((err: unknown) => {
            resources.logger.error({ err }, 'reconcile failed');
          });
        }, config.reconcileEveryMs),
      );
      for (const timer of timers) timer.unref();
    },
    async close(): Promise<void> {
      for (const timer of timers.splice(0)) clearInterval(timer);
      await queues.close();
    },
    newLeaseToken: randomUUID,
  };
}
