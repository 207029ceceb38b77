import type { Db } from './client.ts';
import { prepared } from './prepared.ts';

/** Tasks indexed per transaction: FTS5 writes one segment per transaction, whatever its size. */
const BATCH = 2_000;

/**
 * One statement for a whole batch: the pending rows up to `?` lead the join and each task is
 * found by its rowid (CROSS JOIN keeps that order; led by `tasks`, the planner walked the table).
 * A statement per task cost three times as much: 20 µs a task against 6–8.
 */
export const INDEX_BATCH = `
  INSERT INTO task_fts (rowid, prompt, result)
  SELECT t.rowid,
    t.prompt || coalesce((SELECT char(10) || group_concat(prompt, char(10)) FROM (SELECT prompt FROM turns WHERE task_id = t.id AND n > 1 ORDER BY n)), ''),
    coalesce((SELECT group_concat(result, char(10)) FROM (SELECT result FROM turns WHERE task_id = t.id AND result IS NOT NULL ORDER BY n)), t.result, '')
  FROM task_fts_pending p CROSS JOIN tasks t ON t.rowid = p.task_rowid
  WHERE p.task_rowid <= ?`;

/**
 * Indexes the tasks created since the last call in the search index, many per transaction: the
 * first prompt and the follow-ups, and every turn's result (or the task's, when no turn has one),
 * so what came before the indexing is found as the 0002 triggers would have kept it. Returns how
 * many it indexed, at most `maxRows`. Called on a timer and before every search.
 */
export function indexPendingSearch(db: Db, maxRows = Infinity): number {
  const client = db.$client;
  const pending = prepared(db, 'search:pending', () => client.prepare('SELECT EXISTS (SELECT 1 FROM task_fts_pending) AS n').pluck());
  if (pending.get() === 0) return 0;
  // The batch is the `batch` lowest pending rowids: everything pending up to the highest of them.
  const upTo = prepared(db, 'search:upTo', () =>
    client.prepare('SELECT max(task_rowid) FROM (SELECT task_rowid FROM task_fts_pending ORDER BY task_rowid LIMIT ?)').pluck(),
  );
  const index = prepared(db, 'search:index', () => client.prepare(INDEX_BATCH));
  const done = prepared(db, 'search:done', () => client.prepare('DELETE FROM task_fts_pending WHERE task_rowid <= ?'));
  let total = 0;
  for (;;) {
    const batch = Math.min(BATCH, maxRows - total);
    const n = client.transaction(() => {
      const last = upTo.get(batch) as number | null;
      if (last === null) return 0;
      index.run(last);
      return done.run(last).changes;
    }).immediate();
    total += n;
    if (n < batch || total >= maxRows) return total;
  }
}
