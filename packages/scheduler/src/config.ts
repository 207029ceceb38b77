export interface SchedulerConfig {
  /** Seconds of agent silence before its leases are returned and its running tasks lost. */
  graceSec: number;
  /** Infrastructure attempts per turn before the task fails. */
  maxAttempts: number;
  /** Redis key prefix of every queue. */
  prefix: string;
  /** How many leasing workers to keep open. */
  maxWorkers: number;
  /** How often to look for silent agents and expired rate limits. */
  sweepEveryMs: number;
  /** How often the reconciler compares SQLite with Redis. */
  reconcileEveryMs: number;
}

export const DEFAULT_CONFIG: SchedulerConfig = {
  graceSec: 90,
  maxAttempts: 3,
  prefix: 'sy',
  maxWorkers: 64,
  sweepEveryMs: 5_000,
  reconcileEveryMs: 60_000,
};
