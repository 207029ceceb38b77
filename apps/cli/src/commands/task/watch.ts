import { renderLine, type TaskView } from '@switchyard/core';
import type { Ctx } from '../../command.ts';
import { CliError, EXIT } from '../../errors.ts';
import { colorWanted, paint } from '../../format/color.ts';
import { summaryLine } from '../../format/task.ts';
import { clock } from '../../format/time.ts';
import { watchApprovals } from './approval-prompt.ts';

/** Ctrl-C while following: the task is not touched, only our watching stops. */
export class Interrupted extends CliError {
  constructor(id: string) {
    super(`stopped following ${id}; the task keeps running`, `Follow it again with 'switchyard task logs -f ${id}', or stop it with 'switchyard task kill ${id}'.`, EXIT.interrupted);
  }
}

export interface WatchOptions {
  /** Print output lines after this seq. */
  after: number;
  /** What to print of the output: readable transcript, raw stream-json, or nothing (wait). */
  print: 'transcript' | 'raw' | 'none';
  untilTurn?: number;
}

/**
 * Follows a task to its end: output to stdout, status changes and reconnects to stderr, then
 * the verdict line. Resolves with the final task; throws Interrupted on Ctrl-C.
 */
export async function watchTask(ctx: Ctx, id: string, o: WatchOptions): Promise<TaskView> {
  const { io } = ctx;
  const p = paint(colorWanted(io.stderr, io.env));
  const ac = new AbortController();
  const off = io.onInterrupt(() => ac.abort());
  // Tool calls the task waits on are shown (and, on a TTY, answered) while it is followed.
  const approvals = new AbortController();
  if (o.print !== 'none') void watchApprovals(ctx, id, AbortSignal.any([ac.signal, approvals.signal]));
  try {
    for await (const e of ctx.client().tasks.follow(id, { after: o.after, untilTurn: o.untilTurn, signal: ac.signal })) {
      switch (e.type) {
        case 'line':
          if (o.print === 'raw') io.stdout.write(`${e.line}\n`);
          else if (o.print === 'transcript') for (const l of renderLine(e.line)) io.stdout.write(`${l}\n`);
          break;
        case 'status': {
          const note = statusNote(e.status, e.rateLimitedUntil, io.now());
          if (note) io.stderr.write(`${p.dim(note)}\n`);
          break;
        }
        case 'reconnect':
          io.stderr.write(`${p.dim(`· connection lost (${e.error.message}); resuming after line ${e.after}`)}\n`);
          break;
        case 'end':
          io.stderr.write(`${summaryLine(e.task, p)}\n`);
          return e.task;
      }
    }
  } finally {
    approvals.abort();
    off();
  }
  throw new Interrupted(id);
}

function statusNote(status: string, until: string | null, now: number): string | null {
  switch (status) {
    case 'queued':
      return '· queued';
    case 'dispatched':
      return '· dispatched to an agent';
    case 'running':
      return '· running';
    case 'rate_limited':
      return `⏳ rate limited${until ? ` until ${clock(until, now)}` : ''}; it resumes by itself`;
    default:
      return null;
  }
}
