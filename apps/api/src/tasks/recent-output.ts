import type { OutputLine } from '@switchyard/core';

/** Tasks whose newest lines are kept, and the bytes all of them may hold. */
const MAX_TASKS = 256;
const MAX_BYTES = 8 * 1024 * 1024;
/** Lines kept per task: two of an agent's full batches, so a reader one batch behind still hits. */
export const RUN_LINES = 1_000;

interface Run {
  lines: OutputLine[];
  bytes: number;
}

/**
 * The newest stored lines of the tasks that produce output now, in memory, so that live streams
 * send a new batch without each reading it back from SQLite. Only a contiguous run of stored
 * lines is kept; whatever it does not hold is read from SQLite as before.
 */
export class RecentOutput {
  private readonly runs = new Map<string, Run>();
  private bytes = 0;

  /** Lines `before + 1 … upTo` were just stored; `batch` holds them (and maybe others). */
  stored(taskId: string, before: number, upTo: number, batch: OutputLine[]): void {
    const fresh = batch.filter((l) => l.seq > before && l.seq <= upTo).sort((a, b) => a.seq - b.seq);
    const whole = fresh.length === upTo - before && fresh.every((l, i) => l.seq === before + 1 + i);
    const prior = this.take(taskId);
    if (!whole) return;
    const keep = prior && prior.lines.at(-1)?.seq === before ? prior.lines : [];
    const lines = [...keep, ...fresh].slice(-Math.max(RUN_LINES, fresh.length));
    const bytes = lines.reduce((n, l) => n + l.line.length + 32, 0);
    this.runs.set(taskId, { lines, bytes });
    this.bytes += bytes;
    for (const [id, run] of this.runs) {
      if (this.runs.size <= MAX_TASKS && this.bytes <= MAX_BYTES) break;
      this.runs.delete(id);
      this.bytes -= run.bytes;
    }
  }

  /** Lines `after + 1 … upTo` if memory holds all of them, else undefined. */
  read(taskId: string, after: number, upTo: number, limit: number): OutputLine[] | undefined {
    const lines = this.runs.get(taskId)?.lines;
    if (!lines?.length || upTo <= after) return undefined;
    const first = lines[0]!.seq;
    if (after + 1 < first || upTo > lines.at(-1)!.seq) return undefined;
    return lines.slice(after + 1 - first, Math.min(upTo, after + limit) + 1 - first);
  }

  /** Forgets a task's lines (its task is over, or its run is replaced). */
  take(taskId: string): Run | undefined {
    const run = this.runs.get(taskId);
    if (run) {
      this.runs.delete(taskId);
      this.bytes -= run.bytes;
    }
    return run;
  }
}
