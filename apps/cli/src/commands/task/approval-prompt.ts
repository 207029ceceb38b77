import type { ApprovalAnswerRequest, ApprovalView } from '@switchyard/core';
import type { Ctx } from '../../command.ts';
import { explain } from '../../explain.ts';
import { approvalSummary } from '../approvals.ts';

/** How often a followed task is checked for tool calls waiting on an answer. */
export const APPROVAL_POLL_MS = 2_000;

type Key = 'a' | 'A' | 'd' | 's';

/** Reads one of `keys` from a TTY stdin in raw mode; null when stdin is not a TTY. */
function readKey(ctx: Ctx, signal: AbortSignal): Promise<Key | null> {
  const stdin = ctx.io.stdin as NodeJS.ReadStream & { setRawMode?: (on: boolean) => void };
  if (!stdin.isTTY || typeof stdin.setRawMode !== 'function') return Promise.resolve(null);
  return new Promise((resolve) => {
    const done = (k: Key | null): void => {
      stdin.off('data', onData);
      signal.removeEventListener('abort', onAbort);
      stdin.setRawMode!(false);
      stdin.pause();
      resolve(k);
    };
    const onData = (b: Buffer): void => {
      const ch = b.toString('utf8');
      if (ch === '\u0003') return done(null);
      if (ch === 'a' || ch === 'A' || ch === 'd' || ch === 's') done(ch);
    };
    const onAbort = (): void => done(null);
    stdin.setRawMode!(true);
    stdin.resume();
    stdin.on('data', onData);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** The lines that show a waiting tool call and how to answer it. */
export function describeApproval(a: ApprovalView): string {
  return [
    `⏸ claude asks to use ${a.toolName}: ${approvalSummary(a)}`,
    `  answer with: switchyard approve ${a.id}   (or --for-task; or: switchyard deny ${a.id} --message 'why, and what instead')`,
  ].join('\n');
}

async function promptFor(ctx: Ctx, a: ApprovalView, signal: AbortSignal): Promise<void> {
  const { io } = ctx;
  io.stderr.write(`${describeApproval(a)}\n`);
  if (!(io.stdin as { isTTY?: boolean }).isTTY) return;
  io.stderr.write(`  input: ${JSON.stringify(a.input)}\n  [a] allow once  [A] allow for the rest of this task  [d] deny  [s] skip: `);
  const key = await readKey(ctx, signal);
  io.stderr.write(`${key ?? ''}\n`);
  if (key === null || key === 's') return;
  const body: ApprovalAnswerRequest = key === 'd' ? { decision: 'deny', message: 'denied from the CLI' } : { decision: key === 'A' ? 'allow_for_task' : 'allow_once' };
  try {
    const answered = await ctx.client().answerApproval(a.id, body);
    io.stderr.write(`  ${answered.status}\n`);
  } catch (err) {
    io.stderr.write(`  error: ${explain(err, ctx.target(), 'approve').message}\n`);
  }
}

/**
 * While a task is followed: shows each tool call it waits on, once, and on a TTY asks for the
 * answer (a/A/d); elsewhere prints the command that answers it. Stops when `signal` aborts.
 */
export async function watchApprovals(ctx: Ctx, taskId: string, signal: AbortSignal): Promise<void> {
  const seen = new Set<string>();
  while (!signal.aborted) {
    let pending: ApprovalView[] = [];
    try {
      pending = await ctx.client().approvals({ task: taskId, status: 'pending' });
    } catch {
      // The follow loop reports connection trouble; this one just tries again.
    }
    for (const a of pending.reverse()) {
      if (seen.has(a.id) || signal.aborted) continue;
      seen.add(a.id);
      await promptFor(ctx, a, signal);
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, APPROVAL_POLL_MS);
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      }, { once: true });
    });
  }
}
