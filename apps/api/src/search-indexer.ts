import type { Logger } from 'pino';
import { indexPendingSearch, type DbHandle } from '@switchyard/db';

/** How often tasks created since the last pass are put in the search index. */
export const SEARCH_INDEX_MS = 1_000;

/**
 * Keeps the search index close behind creates, many tasks per transaction, so a create never
 * pays for it (a search also catches up first, so it misses nothing).
 */
export function startSearchIndexer(db: DbHandle, logger: Logger): { stop(): void } {
  const timer = setInterval(() => {
    try {
      indexPendingSearch(db.db);
    } catch (err) {
      logger.warn({ err }, 'search indexing failed; the next pass retries');
    }
  }, SEARCH_INDEX_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
