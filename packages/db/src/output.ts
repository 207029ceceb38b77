import { and, asc, count, desc, eq, gt, lte } from 'drizzle-orm';
import type { OutputLine } from '@switchyard/core';
import type { Statement } from 'better-sqlite3';
import type { Db } from './client.ts';
import { prepared } from './prepared.ts';
import { outputLines, tasks } from './schema.ts';

/** Rows per multi-row insert; smaller pieces of a batch take the next size down. */
const CHUNKS = [256, 64, 16, 4, 1];

/** `insert into output_lines … values (…), (…) on conflict do nothing` for `n` rows, prepared once. */
function insertLines(db: Db, n: number): Statement {
  return prepared(db, `insertLines:${n}`, (d) => {
    const row = '(?, ?, ?, ?, ?)';
    const values = Array.from({ length: n }, () => row).join(', ');
    return d.$client.prepare(
      `insert into output_lines (task_id, seq, turn, ts, line) values ${values} on conflict do nothing`,
    );
  });
}

/**
 * Stores a batch of output lines idempotently by (task, seq) and returns the highest contiguous
 * seq now stored. Lines past a gap are kept and counted once the gap fills. Call in a transaction.
 * The batch goes in as a few multi-row inserts; a line already stored (a batch resent after a
 * lost ack) is skipped by its primary key, so it is never stored twice.
 */
export function appendOutput(
  db: Db,
  taskId: string,
  turn: number,
  lines: OutputLine[],
  lastSeq: number,
): number {
  const fresh = lines.filter((l) => l.seq > lastSeq).sort((a, b) => a.seq - b.seq);
  for (let i = 0; i < fresh.length; ) {
    const n = CHUNKS.find((c) => c <= fresh.length - i)!;
    const params: unknown[] = [];
    for (const l of fresh.slice(i, i + n)) params.push(taskId, l.seq, turn, Math.round(l.ts), l.line);
    insertLines(db, n).run(...params);
    i += n;
  }
  // What this batch closed in memory, then what earlier batches stored past a gap, by index.
  let next = lastSeq;
  for (const l of fresh) if (l.seq === next + 1) next = l.seq;
  next = storedRunFrom(db, taskId, next);
  if (next !== lastSeq) {
    prepared(db, 'setLastSeq', (d) =>
      d.$client.prepare('update tasks set last_seq = ? where id = ?'),
    ).run(next, taskId);
  }
  return next;
}

/** The end of the run of stored seqs that continues `from` without a gap. */
function storedRunFrom(db: Db, taskId: string, from: number): number {
  const stmt = prepared(db, 'storedAfter', (d) =>
    d.$client
      .prepare('select seq from output_lines where task_id = ? and seq > ? order by seq limit 1000')
      .pluck(),
  );
  let next = from;
  for (;;) {
    const seqs = stmt.all(taskId, next) as number[];
    let advanced = 0;
    for (const seq of seqs) {
      if (seq !== next + 1) break;
      next = seq;
      advanced += 1;
    }
    if (advanced < 1000) return next;
  }
}

/** Lines after `afterSeq`, up to the contiguous end `upTo`, in order. */
export function readOutput(
  db: Db,
  taskId: string,
  afterSeq: number,
  upTo: number,
  limit: number,
): OutputLine[] {
  return db
    .select({ seq: outputLines.seq, ts: outputLines.ts, line: outputLines.line })
    .from(outputLines)
    .where(
      and(eq(outputLines.taskId, taskId), gt(outputLines.seq, afterSeq), lte(outputLines.seq, upTo)),
    )
    .orderBy(asc(outputLines.seq))
    .limit(limit)
    .all();
}

/** The last `n` lines up to `upTo`, in order. */
export function tailOutput(db: Db, taskId: string, upTo: number, n: number): OutputLine[] {
  return db
    .select({ seq: outputLines.seq, ts: outputLines.ts, line: outputLines.line })
    .from(outputLines)
    .where(and(eq(outputLines.taskId, taskId), lte(outputLines.seq, upTo)))
    .orderBy(desc(outputLines.seq))
    .limit(n)
    .all()
    .reverse();
}

export function countOutput(db: Db, taskId: string): number {
  return db.select({ n: count() }).from(outputLines).where(eq(outputLines.taskId, taskId)).get()?.n ?? 0;
}
