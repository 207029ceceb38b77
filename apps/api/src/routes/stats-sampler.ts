import { lastSampleAt, sampleWorkspaces } from '@switchyard/db';
import type { RouteDeps } from '../context.ts';

/** At most one sample of every workspace's load a minute. */
export const SAMPLE_INTERVAL_MS = 60_000;

/**
 * Samples queue depth and running tasks per workspace into SQLite when they can have changed:
 * load only moves when a task changes status, so the sampler listens for those and takes a
 * sample at most once a minute (a change inside the minute is caught by one trailing sample).
 * No timer runs while the fleet is idle; the chart carries the last sample forward.
 */
export function startSampler(deps: Pick<RouteDeps, 'db' | 'scheduler' | 'logger'>): void {
  let last = safe(() => lastSampleAt(deps.db.db)) ?? 0;
  let trailing: ReturnType<typeof setTimeout> | null = null;
  const take = (): void => {
    trailing = null;
    last = Date.now();
    safe(() => deps.db.tx(() => sampleWorkspaces(deps.db.db, last)), (err) => deps.logger.warn({ err }, 'workspace sample failed'));
  };
  const onChange = (): void => {
    if (trailing) return;
    const wait = last + SAMPLE_INTERVAL_MS - Date.now();
    if (wait <= 0) take();
    else {
      trailing = setTimeout(take, wait);
      trailing.unref();
    }
  };
  deps.scheduler.hub.on('task', onChange);
  // A sample at start, so a chart has a first point even before anything happens.
  onChange();
}

function safe<T>(fn: () => T, onError?: (err: unknown) => void): T | undefined {
  try {
    return fn();
  } catch (err) {
    // The database is closed once the server stopped; a late trailing sample is dropped.
    if (!String(err).includes('not open')) onError?.(err);
    return undefined;
  }
}
