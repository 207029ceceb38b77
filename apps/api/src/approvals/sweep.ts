import type { Logger } from 'pino';
import type { DbHandle } from '@switchyard/db';
import type { Hub } from '@switchyard/scheduler';
import { ApprovalClock } from './state.ts';

/** How often pending approvals are checked for a passed deadline. */
export const APPROVAL_SWEEP_MS = 5_000;

/**
 * Expires approvals past their deadline, so a claude waiting on one hears "denied" without anyone
 * asking; at start, first closes those whose turn ended while the API was down.
 */
export function startApprovalSweep(db: DbHandle, hub: Hub, logger: Logger, now: () => number = Date.now): { stop(): void } {
  const clock = new ApprovalClock(db, hub, now);
  const run = (what: () => void): void => {
    try {
      what();
    } catch (err) {
      logger.warn({ err }, 'approval sweep failed');
    }
  };
  run(() => clock.closeGone());
  const timer = setInterval(() => run(() => clock.expireDue()), APPROVAL_SWEEP_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
