import { TERMINAL_STATUSES } from '@switchyard/core';
import type { DbHandle } from './client.ts';

const DAY_MS = 86_400_000;
const FINISHED = [...TERMINAL_STATUSES].map((s) => `'${s}'`).join(', ');
/** A finished task, finished before the cutoff (re-checked inside every delete: a follow-up may reopen it). */
const OLD = `status in (${FINISHED}) and finished_at is not null and finished_at < ?`;

export interface RetentionPolicy {
  /**
   * Output lines (all but each task's last) and status events of tasks finished longer ago than
   * this go; null keeps them.
   */
  outputDays: number | null;
  /** Whole tasks (row, turns, output, events, search entry) finished longer ago go; null keeps them. */
  taskDays: number | null;
  /** Rows deleted per transaction; the event loop runs between transactions. */
  batchRows?: number;
  /** Pages freed per incremental_vacuum step. */
  vacuumPages?: number;
}

export interface PruneReport {
  outputLines: number;
  taskEvents: number;
  tasks: number;
  /** Pages handed back to the file system by incremental vacuum. */
  pagesFreed: number;
}

/** Lets the event loop run (requests, timers) between two small transactions. */
const breathe = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Deletes what the policy says has expired, in small transactions so no request waits long on
 * SQLite, then returns the freed pages to the file system. `now` is the clock's time.
 * `stopped` is asked between batches: shutdown does not wait for a whole pass.
 */
export async function pruneExpired(h: DbHandle, policy: RetentionPolicy, now: number, stopped: () => boolean = () => false): Promise<PruneReport> {
  const report: PruneReport = { outputLines: 0, taskEvents: 0, tasks: 0, pagesFreed: 0 };
  const cutoff = (days: number | null) => (days === null ? null : now - days * DAY_MS);
  const taskCutoff = cutoff(policy.taskDays);
  // Tasks about to go lose their output first, in the same small batches.
  const outputCutoff = Math.max(cutoff(policy.outputDays) ?? -Infinity, taskCutoff ?? -Infinity);
  const batch = policy.batchRows ?? 500;
  if (outputCutoff > -Infinity) await pruneOutput(h, outputCutoff, batch, report, stopped);
  if (taskCutoff !== null) await pruneTasks(h, taskCutoff, Math.max(1, Math.floor(batch / 10)), report, stopped);
  if (!stopped()) report.pagesFreed = await vacuumFreePages(h, policy.vacuumPages ?? 1000, stopped);
  return report;
}

/** Old tasks per page when looking for what is left to prune; the loop runs between pages. */
const TASK_PAGE = 200;
/** meta key: the cutoff of the last output pass that ran to its end. */
const MARK = 'retention_output_through';

async function pruneOutput(h: DbHandle, before: number, batch: number, report: PruneReport, stopped: () => boolean): Promise<void> {
  const { sqlite } = h;
  // Only tasks with something left to prune, a page at a time from a cursor: a pass over years
  // of already-pruned tasks neither rescans them from the start nor holds the loop.
  const page = sqlite.prepare(
    `select id, finished_at as f from tasks t indexed by tasks_finished where ${OLD} and finished_at >= ? and (finished_at, id) > (?, ?)
       and (exists (select 1 from output_lines o where o.task_id = t.id and o.seq < t.last_seq)
         or exists (select 1 from task_events e where e.task_id = t.id))
     order by finished_at, id limit ${TASK_PAGE}`,
  );
  // The last line stays (claude's `result`, usually): readers that page or stream up to the
  // task's lastSeq then reach its end and finish, instead of waiting for lines that are gone.
  const lines = sqlite.prepare(
    `delete from output_lines where rowid in (select rowid from output_lines where task_id = ? and seq < (select last_seq from tasks where id = ? and ${OLD}) limit ?)`,
  );
  const events = sqlite.prepare(
    `delete from task_events where rowid in (select rowid from task_events where task_id = ? and exists (select 1 from tasks where id = ? and ${OLD}) limit ?)`,
  );
  // Every task finished before the last complete pass's cutoff was pruned then, and a task only
  // finishes later (a follow-up reopens it and it finishes anew): start there.
  const mark = sqlite.prepare(`select value from meta where key = '${MARK}'`).pluck().get() as string | undefined;
  let cursor = { f: mark === undefined ? Number.MIN_SAFE_INTEGER : Number(mark), id: '' };
  for (;;) {
    const rows = page.all(before, cursor.f, cursor.f, cursor.id) as { id: string; f: number }[];
    for (const { id } of rows) {
      for (const [stmt, key] of [[lines, 'outputLines'], [events, 'taskEvents']] as const) {
        for (let n = batch; n === batch; ) {
          if (stopped()) return;
          n = h.tx(() => stmt.run(id, id, before, batch).changes);
          report[key] += n;
          if (n > 0) await breathe();
        }
      }
    }
    if (rows.length < TASK_PAGE) {
      sqlite.prepare(`insert into meta (key, value) values ('${MARK}', ?) on conflict(key) do update set value = excluded.value`).run(String(before));
      return;
    }
    cursor = rows.at(-1)!;
    await breathe();
  }
}

async function pruneTasks(h: DbHandle, before: number, batch: number, report: PruneReport, stopped: () => boolean): Promise<void> {
  const { sqlite } = h;
  const pick = sqlite.prepare(`select id from tasks indexed by tasks_finished where ${OLD} order by finished_at limit ?`).pluck();
  const del = ['output_lines', 'task_events', 'turns', 'approvals'].map((t) => sqlite.prepare(`delete from ${t} where task_id = ?`));
  // Deleting the row fires the search-index trigger; team_daily keeps the day's counts (0005).
  const task = sqlite.prepare(`delete from tasks where id = ? and ${OLD}`);
  while (!stopped()) {
    const n = h.tx(() => {
      let gone = 0;
      for (const id of pick.all(before, batch) as string[]) {
        report.outputLines += del[0]!.run(id).changes;
        report.taskEvents += del[1]!.run(id).changes;
        del[2]!.run(id);
        del[3]!.run(id);
        gone += task.run(id, before).changes;
      }
      return gone;
    });
    report.tasks += n;
    if (n < batch) return;
    await breathe();
  }
}

/**
 * Returns free pages to the file system, a few at a time. A no-op unless the file is in
 * incremental auto-vacuum mode (see enableIncrementalVacuum).
 */
export async function vacuumFreePages(h: DbHandle, pagesPerStep: number, stopped: () => boolean = () => false): Promise<number> {
  const { sqlite } = h;
  if (Number(sqlite.pragma('auto_vacuum', { simple: true })) !== 2) return 0;
  const free = () => Number(sqlite.pragma('freelist_count', { simple: true }));
  const start = free();
  const step = sqlite.prepare(`pragma incremental_vacuum(${Math.max(1, Math.floor(pagesPerStep))})`);
  for (let left = free(), was = Infinity; left > 0 && left < was && !stopped(); was = left, left = free()) {
    step.run();
    await breathe();
  }
  // The WAL holds the moved pages until a checkpoint; truncate it so the disk sees the gain.
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
  return start - free();
}

/**
 * Switches the file to incremental auto-vacuum, so pruning can give space back. An existing
 * file needs one VACUUM for it (which rewrites the whole file and cannot run in a migration's
 * transaction): done here, once, at open. Returns whether it converted the file.
 */
export function enableIncrementalVacuum(h: DbHandle, onConvert: (pages: number) => void = () => undefined): boolean {
  const { sqlite } = h;
  if (Number(sqlite.pragma('auto_vacuum', { simple: true })) === 2) return false;
  onConvert(Number(sqlite.pragma('page_count', { simple: true })));
  sqlite.pragma('auto_vacuum = INCREMENTAL');
  // VACUUM builds its copy of the whole file as temporary data: on disk, not in memory (the
  // connection keeps temporary data in memory otherwise), or a large file would not fit the pod.
  const temp = sqlite.pragma('temp_store', { simple: true });
  sqlite.pragma('temp_store = FILE');
  try {
    sqlite.exec('VACUUM');
  } finally {
    sqlite.pragma(`temp_store = ${Number(temp)}`);
  }
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
  return true;
}
