import { randomBytes } from 'node:crypto';

/**
 * Sortable ids safe in tmux session names and file paths: a prefix, the time in base36 and
 * random hex. Only `[a-z0-9_]`.
 */
export function newId(prefix: 'tsk' | 'ws' | 'team' | 'tok' | 'agt' | 'apr'): string {
  const time = Date.now().toString(36).padStart(9, '0');
  return `${prefix}_${time}${randomHex5()}`;
}

/** Random bytes drawn from the CSPRNG 4 KiB at a time: one call per id was a few % of a create. */
let pool = Buffer.alloc(0);
let at = 0;
function randomHex5(): string {
  if (at + 5 > pool.length) {
    pool = randomBytes(4096);
    at = 0;
  }
  at += 5;
  return pool.toString('hex', at - 5, at);
}

export const TASK_ID_PATTERN = /^tsk_[a-z0-9]{10,40}$/;

export function isTaskId(value: string): boolean {
  return TASK_ID_PATTERN.test(value);
}

/** The tmux session a task runs in, on its agent's machine. */
export function tmuxSessionName(taskId: string): string {
  return `sy-${taskId}`;
}
