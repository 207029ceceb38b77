import {
  classifyTurn,
  ConflictError,
  isTerminal,
  NotFoundError,
  OutputIncompleteError,
  TurnNotCurrentError,
  type TaskStatus,
  type TurnFinished,
  type TurnSummary,
} from '@switchyard/core';
import {
  findTask,
  insertTurn,
  listTurns,
  transitionTask,
  updateTurn,
  writeAudit,
  type AuditEntry,
  type TaskRow,
  type TurnRow,
} from '@switchyard/db';
import { retryBackoffMs } from '../backoff.ts';
import type { BackoffSystem } from './backoff.ts';
import { unpinned, type JobSystem } from './jobs.ts';
import { ACTIVE, emitTask, type SchedulerResources } from './resources.ts';
import { addTotals, failureMessage, turnPatch } from './turn-record.ts';
import type { WorkspaceState } from './workspace-state.ts';

/** What a finished turn came to: the task's new row, and whether its job waits to run again. */
interface Verdict {
  row: TaskRow;
  /** Set when the same turn runs again after this many ms (retry, rate limit). */
  requeueDelayMs: number | null;
}

/**
 * The life of a turn after its lease: started, finished with a verdict (completed, failed,
 * killed, retried, rate limited), and the follow-up that becomes the next turn.
 */
export class TurnResults {
  constructor(
    private readonly r: SchedulerResources,
    private readonly jobs: JobSystem,
    private readonly backoff: BackoffSystem,
    private readonly workspaces: WorkspaceState,
  ) {}

  turnStarted(agentId: string, taskId: string, turn: number): TaskRow {
    const { db: h, clock, hub } = this.r;
    return h.tx(() => {
      const task = findTask(h.db, taskId);
      if (!task) throw new NotFoundError('task', taskId);
      if (task.agentId !== agentId || task.currentTurn !== turn) {
        throw new TurnNotCurrentError(taskId, turn);
      }
      if (task.status === 'running') return task; // a resent report
      if (task.status !== 'dispatched') throw new TurnNotCurrentError(taskId, turn);
      const t = clock();
      const startSeq = task.lastSeq + 1;
      updateTurn(h.db, taskId, turn, { status: 'running', startedAt: t, agentId, startSeq });
      const patch = { turnStarted: true, startedAt: task.startedAt ?? t };
      const opts = { reason: 'turn started', now: t };
      return emitTask(hub, transitionTask(h.db, task, 'running', patch, opts));
    });
  }

  /** Records the end of a turn and decides what follows: done, next turn, retry or backoff. */
  async turnFinished(agentId: string, taskId: string, body: TurnFinished): Promise<TaskRow> {
    const { db: h, clock, hub } = this.r;
    const before = findTask(h.db, taskId);
    if (!before) throw new NotFoundError('task', taskId);
    if (before.currentTurn !== body.turn || before.agentId !== agentId) {
      throw new TurnNotCurrentError(taskId, body.turn);
    }
    if (before.lastSeq < body.lastSeq) {
      throw new OutputIncompleteError(before.lastSeq, body.lastSeq);
    }
    if (!ACTIVE.includes(before.status as TaskStatus)) {
      // Already decided (lost, cancelled): keep the record, change nothing.
      if (isTerminal(before.status as TaskStatus)) return before;
      throw new TurnNotCurrentError(taskId, body.turn);
    }
    const t = clock();
    const { row, requeueDelayMs } = h.tx(() => {
      const run = withRunCost(body, listTurns(h.db, taskId));
      return this.decide(findTask(h.db, taskId)!, run, t);
    });
    emitTask(hub, row);
    if (requeueDelayMs !== null) {
      await this.jobs.requeueSameJob(before, row, requeueDelayMs);
    } else {
      await this.jobs.dropJob(before);
      await this.startNextTurn(row);
    }
    // A workspace and a team slot are free: waiting long-polls lease now, not at their next check.
    this.workspaces.slotFreed(row);
    return findTask(h.db, taskId)!;
  }

  /** Adds a follow-up turn; it runs now if the task is finished, else after the current turn. */
  async followUp(
    taskId: string,
    prompt: string,
    actor: string | null,
    audit?: AuditEntry,
  ): Promise<TaskRow> {
    const { db: h, clock } = this.r;
    const task = h.tx(() => {
      const cur = findTask(h.db, taskId);
      if (!cur) throw new NotFoundError('task', taskId);
      if (cur.status === 'cancelled') throw new ConflictError('a cancelled task takes no messages');
      const t = clock();
      const n = Math.max(...listTurns(h.db, taskId).map((x) => x.n)) + 1;
      insertTurn(h.db, taskId, n, prompt, t);
      if (audit) writeAudit(h.db, audit, t);
      return cur;
    });
    this.r.logger.info({ taskId, actor }, 'follow-up queued');
    await this.startNextTurn(task);
    return findTask(h.db, taskId)!;
  }

  /** After a turn ends: the oldest follow-up that waits becomes the current turn. */
  async startNextTurn(task: TaskRow): Promise<void> {
    if (!isTerminal(task.status as TaskStatus) || task.status === 'cancelled') return;
    const { db: h, clock } = this.r;
    const next = listTurns(h.db, task.id).find(
      (x) => x.n > task.currentTurn && x.status === 'queued',
    );
    if (!next) return;
    const row = h.tx(() => {
      const t = clock();
      const patch = {
        currentTurn: next.n,
        queuedAt: t,
        agentId: null,
        leaseToken: null,
        turnStarted: false,
        finishedAt: null,
        killRequestedAt: null,
        killReason: null,
        errorCode: null,
        errorMessage: null,
        attempts: 0,
      };
      const cur = findTask(h.db, task.id)!;
      return transitionTask(h.db, cur, 'queued', patch, {
        reason: `turn ${next.n} queued`,
        now: t,
      });
    });
    emitTask(this.r.hub, row);
    // Stored: if Redis is away, the reconciler enqueues it once Redis is back.
    await this.jobs.enqueueOrLeave(row);
  }

  /** The verdict on a finished turn, recorded on the turn and the task. Runs in the caller's tx. */
  private decide(cur: TaskRow, body: TurnFinished, t: number): Verdict {
    if (body.outcome === 'spawn_failed') return this.spawnFailed(cur, body, t);
    if (body.outcome === 'killed') return this.killed(cur, body, t);
    const s = body.summary;
    const verdict =
      body.outcome === 'rate_limited' ? 'rate_limited' : classifyTurn(s, body.exitCode);
    if (verdict === 'rate_limited') return this.rateLimited(cur, body, t);
    if (verdict === 'unavailable' || verdict === 'auth_failed') return this.retryLater(cur, body, t, verdict);
    this.backoff.passed(cur.workspaceId);
    const failed = verdict === 'failed';
    const row = this.end(cur, body, t, verdict, `turn ${body.turn} ${verdict}`, {
      ...addTotals(cur, s),
      exitCode: body.exitCode,
      result: s.result,
      isError: s.isError,
      finishedAt: t,
      attempts: 0,
      errorCode: failed ? (s.errorKind ?? 'exit_code') : null,
      errorMessage: failed ? failureMessage(body) : null,
    });
    return { row, requeueDelayMs: null };
  }

  /**
   * The API was overloaded past the CLI's own retries, or the login failed: the turn runs again
   * after a backoff (resuming its session), up to maxAttempts, then the task fails with the reason.
   * The workspace keeps taking work: neither is a limit of its own.
   */
  private retryLater(cur: TaskRow, body: TurnFinished, t: number, why: 'unavailable' | 'auth_failed'): Verdict {
    const s = body.summary;
    const what = why === 'unavailable' ? 'the Anthropic API was overloaded' : `claude could not log in (${s.errorKind})`;
    const attempts = cur.attempts + 1;
    if (attempts < this.r.config.maxAttempts) {
      const row = this.end(cur, body, t, 'queued', `${what}; retry ${attempts}`, {
        ...addTotals(cur, s),
        attempts,
        agentId: null,
        leaseToken: null,
        turnStarted: false,
        queuedAt: t,
      });
      return { row, requeueDelayMs: retryBackoffMs(attempts) };
    }
    const row = this.end(cur, body, t, 'failed', `${what}, ${attempts} times`, {
      ...addTotals(cur, s),
      attempts,
      exitCode: body.exitCode,
      result: s.result,
      isError: s.isError,
      finishedAt: t,
      errorCode: s.errorKind ?? why,
      errorMessage: `${what}, ${attempts} times: ${failureMessage(body)}`.slice(0, 2000),
    });
    return { row, requeueDelayMs: null };
  }

  /** claude never started: retry the turn after a backoff, up to maxAttempts, then fail. */
  private spawnFailed(cur: TaskRow, body: TurnFinished, t: number): Verdict {
    const attempts = cur.attempts + 1;
    if (attempts < this.r.config.maxAttempts) {
      const reason = `spawn failed, retry ${attempts}: ${body.reason ?? ''}`;
      const row = this.end(cur, body, t, 'queued', reason, {
        attempts,
        agentId: null,
        leaseToken: null,
        turnStarted: false,
        queuedAt: t,
        // Another pool workspace may have what this one lacked (the workdir, a working claude).
        ...unpinned(cur),
      });
      return { row, requeueDelayMs: retryBackoffMs(attempts) };
    }
    const row = this.end(cur, body, t, 'failed', 'spawn failed', {
      attempts,
      finishedAt: t,
      errorCode: 'spawn_failed',
      errorMessage: body.reason ?? 'could not start claude',
    });
    return { row, requeueDelayMs: null };
  }

  private killed(cur: TaskRow, body: TurnFinished, t: number): Verdict {
    const row = this.end(cur, body, t, 'killed', body.reason, {
      ...addTotals(cur, body.summary),
      exitCode: body.exitCode,
      finishedAt: t,
      errorCode: 'killed',
      errorMessage: body.reason ?? cur.killReason ?? 'killed',
    });
    return { row, requeueDelayMs: null };
  }

  /** Not a retry: the same turn runs again once the limit is over, its attempts untouched. */
  private rateLimited(cur: TaskRow, body: TurnFinished, t: number): Verdict {
    const until = this.backoff.hit(cur.workspaceId!, body.summary.rateLimit?.resetsAt, t);
    const reason = `rate limited until ${new Date(until).toISOString()}`;
    const row = this.end(cur, body, t, 'rate_limited', reason, {
      ...addTotals(cur, body.summary),
      rateLimitedUntil: until,
      agentId: null,
      turnStarted: false,
    });
    return { row, requeueDelayMs: until - t };
  }

  /** Records the turn's end (its status is the task's new one) and moves the task to `to`. */
  private end(
    cur: TaskRow,
    body: TurnFinished,
    t: number,
    to: TaskStatus,
    reason: string | null,
    patch: Partial<TaskRow>,
  ): TaskRow {
    const db = this.r.db.db;
    updateTurn(db, cur.id, body.turn, { ...turnPatch(body, t), status: to });
    return transitionTask(db, cur, to, patch, { reason, now: t });
  }
}

/**
 * The report with `costUsd` made this run's own cost. claude reports `total_cost_usd` for the
 * whole session on --resume, so a run costs its total less the highest total an earlier run of
 * the same session reported (kept as `sessionCostUsd` in each turn's summary; a v0.1.0 row has
 * only `costUsd`, which was the total too).
 */
export function withRunCost(body: TurnFinished, turns: TurnRow[]): TurnFinished {
  const total = body.summary.costUsd;
  if (total === null) return body;
  let before = 0;
  for (const turn of turns) {
    const prior = turn.summary as { sessionId?: unknown; sessionCostUsd?: unknown; costUsd?: unknown } | null;
    if (!prior || prior.sessionId !== body.summary.sessionId) continue;
    const seen = typeof prior.sessionCostUsd === 'number' ? prior.sessionCostUsd : prior.costUsd;
    if (typeof seen === 'number') before = Math.max(before, seen);
  }
  const summary = { ...body.summary, costUsd: Math.max(0, total - before), sessionCostUsd: total };
  return { ...body, summary: summary as TurnSummary };
}
