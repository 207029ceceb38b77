/**
 * The agent's side of an approval: claude's MCP server asked (over the socket) whether a tool
 * call may run; the agent asks the API over its own link — a POST that the policy may answer at
 * once, then long-polls until a person answers or the policy's timeout denies — and hands the
 * answer back. The API outliving a restart of either side is what makes this safe to repeat: the
 * POST is idempotent per (task, tool_use_id). Only turns whose lease asked for approvals may ask,
 * and their lease token, not anything the MCP server says, names the turn to the API.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import { ApprovalVerdictSchema, MAX_APPROVAL_INPUT_BYTES, type ApprovalVerdict } from '@switchyard/core';
import { ApiError, describeError, type ApiGet, type ApiPost } from '../api-client.ts';
import { retryDelay } from '../backoff.ts';
import { deny, type RelayAnswer, type RelayAsk } from './wire.ts';

/** How long one long-poll asks the API to hold (its most). */
export const LONG_POLL_MS = 25_000;

/** What the relay needs of a running turn that may ask. */
export interface ApprovalTurn {
  leaseToken: string;
  /** Still running here: a relay of a turn that ended stops. */
  live: () => boolean;
  /** The turn's wait clock, which keeps waiting out of its time limits. */
  waits: { begin: () => void; end: () => void };
}

export interface RelayDeps {
  post: ApiPost;
  get: ApiGet;
  logger: Logger;
  /** The running turn `taskId`/`turn` when its lease asked for approvals; null otherwise. */
  turnOf: (taskId: string, turn: number) => ApprovalTurn | null;
  /** Waits between retries (tests make them short). */
  retryDelay?: (attempt: number, err: unknown) => number;
}

/** Refusals that say why, in words claude reads and passes on. */
class Refused extends Error {}

export class ApprovalRelay {
  constructor(private readonly deps: RelayDeps) {}

  /** The answer to one tool call; rejects only when `signal` aborts (the asker went away). */
  async ask(ask: RelayAsk, signal: AbortSignal): Promise<RelayAnswer> {
    const turn = this.deps.turnOf(ask.taskId, ask.turn);
    if (!turn) return deny(`Switchyard: turn ${ask.turn} of task ${ask.taskId} is not running on this agent with approvals, so nobody can be asked.`);
    if (Buffer.byteLength(JSON.stringify(ask.input)) > MAX_APPROVAL_INPUT_BYTES) {
      return deny(`Switchyard: this tool call's input is larger than ${MAX_APPROVAL_INPUT_BYTES} bytes, too large to be shown for approval; it is refused.`);
    }
    const log = this.deps.logger.child({ taskId: ask.taskId, turn: ask.turn, toolUseId: ask.toolUseId });
    turn.waits.begin();
    try {
      return await this.relay(ask, turn, signal, log);
    } catch (err) {
      if (err instanceof Refused) return deny(err.message);
      throw err;
    } finally {
      turn.waits.end();
    }
  }

  private async relay(ask: RelayAsk, turn: ApprovalTurn, signal: AbortSignal, log: Logger): Promise<RelayAnswer> {
    const body = { leaseToken: turn.leaseToken, turn: ask.turn, toolName: ask.toolName, toolUseId: ask.toolUseId, input: ask.input };
    const path = `/tasks/${encodeURIComponent(ask.taskId)}/approvals`;
    let verdict = await this.retrying(() => this.deps.post(path, body, ApprovalVerdictSchema, signal), turn, signal, log);
    log.info({ approvalId: verdict.approvalId, status: verdict.status, tool: ask.toolName }, verdict.answer ? 'approval answered at once' : 'approval waits for an answer');
    while (!verdict.answer) {
      if (verdict.status !== 'pending') return deny(`Switchyard: the approval ended ${verdict.status} with no answer; the call is refused.`);
      const url = `/approvals/${encodeURIComponent(verdict.approvalId)}?waitMs=${LONG_POLL_MS}`;
      verdict = await this.retrying(() => this.deps.get(url, ApprovalVerdictSchema, signal), turn, signal, log);
    }
    log.info({ approvalId: verdict.approvalId, status: verdict.status, behavior: verdict.answer.behavior }, 'approval answered');
    return verdict.answer;
  }

  /**
   * Runs `call` until it succeeds: a failure the API may recover from (it is down, restarting,
   * overloaded) is retried with backoff; one it will not (4xx: the turn is no longer current,
   * the request is refused) ends the relay with a deny saying why.
   */
  private async retrying(call: () => Promise<ApprovalVerdict>, turn: ApprovalTurn, signal: AbortSignal, log: Logger): Promise<ApprovalVerdict> {
    for (let attempt = 1; ; attempt++) {
      signal.throwIfAborted();
      if (!turn.live()) throw new Refused('Switchyard: the turn ended while this call waited for approval.');
      try {
        return await call();
      } catch (err) {
        signal.throwIfAborted();
        if (err instanceof ApiError && err.status >= 400 && err.status < 500 && ![408, 429].includes(err.status)) {
          log.warn({ err: describeError(err) }, 'the API refused the approval request');
          throw new Refused(`Switchyard could not ask for approval (${err.message}); the call is refused.`);
        }
        const wait = (this.deps.retryDelay ?? retryDelay)(attempt, err);
        log.warn({ err: describeError(err), retryInMs: wait }, 'approval relay: the API is not answering; retrying');
        await delay(wait, undefined, { signal }).catch(() => undefined);
      }
    }
  }
}
