import type { Logger } from 'pino';
import { indexPendingSearch, type DbHandle } from '@switchyard/db';

/** How often tasks created since the last pass are put in the search index. */
export const SEARCH_INDEX_MS = 100;
/**
 * Tasks indexed in one go before the API answers requests again: a few milliseconds. A second's
 * creates at 2,700/s indexed at once held the event loop ~50 ms, the p99 of creates.
 */
export const SEARCH_SLICE = 250;

/**
 * Keeps the search index close behind creates, many tasks per transaction and a slice at a time
 * between requests, so a create never pays for it (a search also catches up first, so it misses
 * nothing).
 */
export function startSearchIndexer(db: DbHandle, logger: Logger): { stop(): void } {
  let next: NodeJS.Immediate | undefined;
  const pass = (): void => {
    next = undefined;
    try {
      if (indexPendingSearch(db.db, SEARCH_SLICE) === SEARCH_SLICE) next = setImmediate(pass);
    } catch (err) {
      logger.warn({ err }, 'search indexing failed; the next pass retries');
    }
  };
  const timer = setInterval(() => {
    if (!next) pass();
  }, SEARCH_INDEX_MS);
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
      if (next) clearImmediate(next);
    },
  };
}
