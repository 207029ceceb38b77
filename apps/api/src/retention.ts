import type { Logger } from 'pino';
import { pruneExpired, type DbHandle, type PruneReport } from '@switchyard/db';
import type { Config } from './config.ts';

export interface Retention {
  /** One pass now (the timer calls this too); resolves with what it deleted. */
  runOnce(): Promise<PruneReport>;
  /** Stops the timer and waits for a pass under way to stop at its next batch. */
  stop(): Promise<void>;
}

/**
 * Prunes expired output and tasks every `retentionIntervalMs`, first one interval after start.
 * Each pass deletes in small transactions, so requests keep being answered; nothing runs when
 * both periods are off.
 */
export function startRetention(
  h: DbHandle,
  config: Pick<Config, 'retentionDays' | 'taskRetentionDays' | 'retentionIntervalMs'>,
  logger: Logger,
  now: () => number = Date.now,
): Retention {
  const policy = { outputDays: config.retentionDays, taskDays: config.taskRetentionDays };
  let stopped = false;
  let running: Promise<PruneReport> | null = null;
  const runOnce = (): Promise<PruneReport> => {
    running ??= pruneExpired(h, policy, now(), () => stopped)
      .then((report) => {
        if (report.outputLines + report.taskEvents + report.tasks + report.pagesFreed > 0) logger.info(report, 'retention pruned expired rows');
        return report;
      })
      .finally(() => (running = null));
    return running;
  };
  const enabled = policy.outputDays !== null || policy.taskDays !== null;
  const timer = enabled
    ? setInterval(() => {
        runOnce().catch((err: unknown) => logger.error({ err }, 'retention pass failed'));
      }, config.retentionIntervalMs)
    : null;
  timer?.unref();
  return {
    runOnce,
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
