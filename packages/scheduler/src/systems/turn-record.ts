import type { TurnFinished, TurnSummary } from '@switchyard/core';
import type { TaskRow, TurnRow } from '@switchyard/db';

// What a finished turn writes: on its own row, and added to its task's totals.

/** What every verdict records on the turn's row. */
export function turnPatch(body: TurnFinished, t: number): Partial<TurnRow> {
  const s = body.summary;
  return {
    outcome: body.outcome,
    exitCode: body.exitCode,
    signal: body.signal,
    result: s.result,
    isError: s.isError,
    costUsd: s.costUsd,
    numTurns: s.numTurns,
    durationMs: s.durationMs,
    summary: s as unknown as Record<string, unknown>,
    reason: body.reason,
    endSeq: body.lastSeq,
    finishedAt: t,
  };
}

/** The task's running totals with this turn's added. */
export function addTotals(cur: TaskRow, s: TurnSummary): Partial<TaskRow> {
  return {
    costUsd: cur.costUsd + (s.costUsd ?? 0),
    numTurns: cur.numTurns + (s.numTurns ?? 0),
    durationMs: cur.durationMs + (s.durationMs ?? 0),
    usage: addUsage(cur.usage, s.usage),
    todos: s.todos ?? cur.todos,
  };
}

function addUsage(
  a: Record<string, number> | null,
  b: { [k: string]: number } | null,
): Record<string, number> | null {
  if (!b) return a;
  const out: Record<string, number> = { ...(a ?? {}) };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return out;
}

export function failureMessage(body: TurnFinished): string {
  const s = body.summary;
  if (s.isError && s.result) return s.result.slice(0, 2000);
  // error_max_turns, error_max_budget_usd, error_during_execution: the reason is in errors[].
  if (s.errors?.length) return s.errors.join('; ').slice(0, 2000);
  if (s.resultSubtype && s.resultSubtype !== 'success')
    return `claude ended with ${s.resultSubtype}`;
  if (body.stderrTail) return body.stderrTail.slice(-2000);
  const signal = body.signal ? ` (${body.signal})` : '';
  return `claude exited with code ${body.exitCode ?? 'none'}${signal}`;
}
