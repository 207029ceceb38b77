export interface SchedulerConfig {
  /** Seconds of agent silence before its leases are returned and its running tasks lost. */
  graceSec: number;
  /** Infrastructure attempts per turn before the task fails. */
  maxAttempts: number;
  /** Redis key prefix of every queue. */
  prefix: string;
  /** How often to look for silent agents and expired rate limits. */
  sweepEveryMs: number;
  /**
   * How often the reconciler looks for a sign that SQLite and Redis may differ (a Redis restart
   * or flush, a failed Redis call, a dropped connection), comparing them in full after one.
   */
  reconcileEveryMs: number;
  /** The longest time between two full comparisons when no sign is seen. */
  reconcileFullEveryMs: number;
  /**
   * How old a difference must be before the reconciler repairs it: younger rows and jobs may be
   * work in flight (a create between its job and its row), which a repair would run twice.
   */
  reconcileSafeAgeMs: number;
  /**
   * How long a running turn may be missing from its agent's syncs (and in at least two syncs)
   * before it is settled as lost: the agent heartbeats but forgot it (state and pane gone).
   */
  forgottenTurnMs: number;
  /** Rows and job ids a full comparison reads at a time: its memory, whatever the backlog. */
  reconcilePageSize: number;
  /** Longest wait on Redis for an add or a lookup in a request path, before it fails (503). */
  queueOpTimeoutMs: number;
}

export const DEFAULT_CONFIG: SchedulerConfig = {
  graceSec: 90,
  maxAttempts: 3,
  prefix: 'sy',
  sweepEveryMs: 5_000,
  reconcileEveryMs: 60_000,
  reconcileFullEveryMs: 15 * 60_000,
  reconcileSafeAgeMs: 30_000,
  forgottenTurnMs: 30_000,
  reconcilePageSize: 1_000,
  queueOpTimeoutMs: 1_500,
};
