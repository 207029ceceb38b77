import { and, asc, count, desc, eq, gt, lte } from 'drizzle-orm';
import type { OutputLine } from '@switchyard/core';
import type { Db } from './client.ts';
import { outputLines, tasks } from './schema.ts';

/**
 * Stores a batch of output lines idempotently by (task, seq) and returns the highest contiguous
 * seq now stored. Lines past a gap are kept and counted once the gap fills. Call in a transaction.
 */
export function appendOutput(
  db: Db,
  taskId: string,
  turn: number,
  lines: OutputLine[],
  lastSeq: number,
): number {
  for (const l of lines) {
    if (l.seq <= lastSeq) continue;
    db.insert(outputLines)
      .values({ taskId, seq: l.seq, turn, ts: Math.round(l.ts), line: l.line })
      .onConflictDoNothing()
      .run();
  }
  let next = lastSeq;
  for (;;) {
    const seqs = db
      .select({ seq: outputLines.seq })
      .from(outputLines)
      .where(and(eq(outputLines.taskId, taskId), gt(outputLines.seq, next)))
      .orderBy(asc(outputLines.seq))
      .limit(1000)
      .all();
    let advanced = 0;
    for (const { seq } of seqs) {
      if (seq !== next + 1) break;
      next = seq;
      advanced += 1;
    }
    if (advanced < 1000) break;
  }
  if (next !== lastSeq) db.update(tasks).set({ lastSeq: next }).where(eq(tasks.id, taskId)).run();
  return next;
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
