import { ConflictError } from './errors.ts';

export const TASK_STATUSES = [
  'queued',
  'dispatched',
  'running',
  'rate_limited',
  'completed',
  'failed',
  'killed',
  'lost',
  'cancelled',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const TERMINAL_STATUSES: ReadonlySet<TaskStatus> = new Set([
  'completed',
  'failed',
  'killed',
  'lost',
  'cancelled',
]);

/** Which status may follow which. A follow-up turn takes a finished task back to `queued`. */
const TRANSITIONS: Record<TaskStatus, readonly TaskStatus[]> = {
  queued: ['dispatched', 'cancelled', 'rate_limited', 'lost'],
  // dispatched → queued: the lease was given back (agent lost before start, team limit, retry).
  dispatched: ['running', 'queued', 'failed', 'cancelled', 'lost', 'killed'],
  running: ['completed', 'failed', 'killed', 'lost', 'rate_limited', 'queued'],
  rate_limited: ['queued', 'cancelled', 'dispatched'],
  completed: ['queued'],
  failed: ['queued'],
  killed: ['queued'],
  lost: ['queued'],
  cancelled: [],
};

export function isTerminal(status: TaskStatus): boolean {
  return TERMINAL_STATUSES.has(status);
}

export function canTransition(from: TaskStatus, to: TaskStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Throws a 409 when `to` may not follow `from`. */
export function assertTransition(from: TaskStatus, to: TaskStatus): void {
  if (!canTransition(from, to)) {
    throw new ConflictError(`a ${from} task cannot become ${to}`, { from, to });
  }
}

/** A task accepts a follow-up message in these statuses (queued after the current turn). */
export function acceptsFollowUp(status: TaskStatus): boolean {
  return status !== 'cancelled';
}

/** A kill request means something in these statuses. */
export function isKillable(status: TaskStatus): boolean {
  return !isTerminal(status);
}
