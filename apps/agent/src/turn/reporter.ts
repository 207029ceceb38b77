import { AgentErrorCodes, classifyTurn, type TurnFinished, type TurnSummary } from '@switchyard/core';
import { z } from 'zod';
import { ApiError, type ApiPost } from '../api-client.ts';
import type { ExitRecord, TurnState } from './layout.ts';

const Ok = z.object({}).passthrough();

/**
 * What the API said to a report: `stored`; `not_current` (it no longer expects this turn from
 * us: stop, report nothing more); `rewind` (it lacks output before the end: resend after ackSeq).
 */
export type ReportAnswer = { kind: 'stored' } | { kind: 'not_current' } | { kind: 'rewind'; ackSeq: number };

/** Tells the API the turn's tmux session started. */
export async function reportStarted(post: ApiPost, state: TurnState, tmuxSession: string): Promise<ReportAnswer> {
  const { taskId, turn } = state.lease;
  try {
    await post(`/tasks/${taskId}/started`, { turn, tmuxSession, leaseToken: state.lease.leaseToken }, Ok);
    return { kind: 'stored' };
  } catch (err) {
    if (notCurrent(err)) return { kind: 'not_current' };
    throw err;
  }
}

/** Tells the API how the turn ended; it refuses until it holds every line up to `body.lastSeq`. */
export async function reportFinished(post: ApiPost, state: TurnState, body: TurnFinished): Promise<ReportAnswer> {
  try {
    await post(`/tasks/${state.lease.taskId}/finished`, body, Ok);
    return { kind: 'stored' };
  } catch (err) {
    if (err instanceof ApiError && err.code === AgentErrorCodes.outputIncomplete) {
      return { kind: 'rewind', ackSeq: Number(err.details.ackSeq ?? state.lease.startSeq - 1) };
    }
    if (notCurrent(err)) return { kind: 'not_current' };
    throw err;
  }
}

/** The `finished` report: the outcome from the kill, the spawn error or what claude wrote. */
export function finishedBody(
  state: TurnState,
  exit: ExitRecord,
  summary: TurnSummary,
  lastSeq: number,
  stderrTail: string | null,
): TurnFinished {
  let outcome: TurnFinished['outcome'];
  if (state.killReason) outcome = 'killed';
  else if (exit.spawnError) outcome = 'spawn_failed';
  else outcome = classifyTurn(summary, exit.exitCode) === 'rate_limited' ? 'rate_limited' : 'exited';
  return {
    turn: state.lease.turn,
    outcome,
    exitCode: exit.exitCode,
    signal: exit.signal,
    lastSeq,
    summary,
    reason: state.killReason ?? exit.spawnError ?? null,
    stderrTail,
    leaseToken: state.lease.leaseToken,
  };
}

function notCurrent(err: unknown): boolean {
  return err instanceof ApiError && (err.code === AgentErrorCodes.turnNotCurrent || err.status === 404);
}
