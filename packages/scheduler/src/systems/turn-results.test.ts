import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  emptySummary,
  OutputIncompleteError,
  TurnNotCurrentError,
  type Lease,
  type TurnFinished,
} from '@switchyard/core';
import {
  findWorkspace,
  insertWorkspace,
  listAudit,
  listTurns,
  updateWorkspace,
  type TurnRow,
} from '@switchyard/db';
import { finished, useHarness, waitForLease } from '../test-support.ts';
import { withRunCost } from './turn-results.ts';

const ctx = useHarness({ maxAttempts: 2 });

/** Creates a task, leases it and starts its first turn. */
async function running(prompt = 'p'): Promise<Lease> {
  const task = await ctx.h.create({ prompt });
  const [lease] = await ctx.h.sys.leasing.lease(ctx.h.agent.id, 1);
  expect(lease?.taskId).toBe(task.id);
  ctx.h.sys.turns.turnStarted(ctx.h.agent.id, task.id, 1);
  return lease!;
}

const end = (lease: Lease, body: Partial<TurnFinished> = {}) =>
  ctx.h.sys.turns.turnFinished(ctx.h.agent.id, lease.taskId, { ...finished(lease.turn), ...body });

const limited = (resetsAt: number | null) =>
  finished(1, {
    outcome: 'rate_limited',
    exitCode: 1,
    summary: { isError: true, rateLimit: { resetsAt, kind: 'five_hour', message: null } },
  });

describe('turn results', () => {
  it('completes a turn: totals added, job gone, slot free for the next task', async () => {
    const lease = await running();
    const next = await ctx.h.create();
    ctx.t += 3_000;
    const row = await end(lease);
    expect(row).toMatchObject({
      status: 'completed',
      costUsd: 0.5,
      numTurns: 1,
      finishedAt: ctx.t,
      attempts: 0,
    });
    expect(listTurns(ctx.h.db.db, lease.taskId)[0]).toMatchObject({
      status: 'completed',
      outcome: 'exited',
    });
    expect(await ctx.h.resources.queues.exists(row.queueName!, row.jobId!)).toBe(false);
    expect((await ctx.h.sys.leasing.lease(ctx.h.agent.id, 1)).map((l) => l.taskId)).toEqual([next.id]);
  });

  it('fails a turn claude itself ended in error, with its message and no retry', async () => {
    const lease = await running();
    const body = finished(1, { exitCode: 1, summary: { isError: true, result: 'API Error: 500' } });
    expect(await end(lease, body)).toMatchObject({
      status: 'failed',
      attempts: 0,
      errorCode: 'exit_code',
      errorMessage: 'API Error: 500',
    });
  });

  it('records a killed turn as killed', async () => {
    const lease = await running();
    await ctx.h.sys.kill.kill(lease.taskId, 'ann');
    const row = await end(lease, {
      outcome: 'killed',
      exitCode: 130,
      signal: 'SIGINT',
      reason: null,
    });
    expect(row).toMatchObject({
      status: 'killed',
      errorCode: 'killed',
      errorMessage: 'killed by request (ann)',
    });
  });

  it('retries a turn claude could not spawn after a backoff, then fails it at maxAttempts', async () => {
    const lease = await running();
    const jobId = ctx.h.task(lease.taskId).jobId;
    const row = await end(lease, {
      outcome: 'spawn_failed',
      exitCode: null,
      reason: 'tmux: no server',
    });
    expect(row).toMatchObject({ status: 'queued', attempts: 1, agentId: null, jobId });
    expect(listTurns(ctx.h.db.db, lease.taskId)[0]?.status).toBe('queued');
    // The same job waits out its backoff (2 s of Redis time) before it is offered again.
    expect(await ctx.h.sys.leasing.lease(ctx.h.agent.id, 1)).toEqual([]);
    const retry = await waitForLease(ctx.h, ctx.h.agent.id);
    expect(retry).toMatchObject({ taskId: lease.taskId, turn: 1 });
    ctx.h.sys.turns.turnStarted(ctx.h.agent.id, lease.taskId, 1);
    const failed = await end(retry, {
      outcome: 'spawn_failed',
      exitCode: null,
      reason: 'tmux: no server',
    });
    expect(failed).toMatchObject({
      status: 'failed',
      attempts: 2,
      errorCode: 'spawn_failed',
      errorMessage: 'tmux: no server',
    });
  });

  it('holds a rate-limited turn and its workspace until the reset, without counting a retry', async () => {
    const lease = await running();
    const resetsAt = ctx.t + 60_000;
    const row = await end(lease, limited(resetsAt));
    expect(row).toMatchObject({
      status: 'rate_limited',
      rateLimitedUntil: resetsAt,
      attempts: 0,
      agentId: null,
    });
    expect(findWorkspace(ctx.h.db.db, ctx.h.ws.id)?.rateLimitedUntil).toBe(resetsAt);
    expect(ctx.h.sys.workspaces.problems(findWorkspace(ctx.h.db.db, ctx.h.ws.id)!)).toEqual([
      `rate limited until ${new Date(resetsAt).toISOString()}`,
    ]);
  });

  it('backs off the whole team when the workspace shares the team key, exponentially when no reset is known', async () => {
    updateWorkspace(ctx.h.db.db, ctx.h.ws.id, { rateLimitScope: 'team' });
    const mate = insertWorkspace(ctx.h.db.db, {
      name: 'mate',
      teamId: ctx.h.team.id,
      workdirRoots: ['/tmp'],
    });
    const lease = await running();
    const row = await end(lease, limited(null));
    // 30 s doubling from level 0, jitter keeping at least half.
    expect(row.rateLimitedUntil! - ctx.t).toBeGreaterThanOrEqual(15_000);
    expect(row.rateLimitedUntil! - ctx.t).toBeLessThanOrEqual(30_000);
    expect(ctx.h.sys.backoff.blockedUntil(mate)).toBe(row.rateLimitedUntil);
    expect(findWorkspace(ctx.h.db.db, ctx.h.ws.id)).toMatchObject({
      backoffLevel: 1,
      rateLimitedUntil: null,
    });
  });

  it('makes a follow-up the next turn once the current one ends, resuming the session', async () => {
    const lease = await running('first');
    const audit = {
      actor: 'ann',
      teamId: ctx.h.team.id,
      action: 'task.messaged',
      targetType: 'task',
      targetId: lease.taskId,
      details: {},
    };
    const during = await ctx.h.sys.turns.followUp(lease.taskId, 'more', 'ann', audit);
    expect(during).toMatchObject({ status: 'running', currentTurn: 1 });
    expect(listAudit(ctx.h.db.db, { limit: 5 })).toEqual([
      expect.objectContaining({ action: 'task.messaged', ts: ctx.t }),
    ]);
    ctx.t += 1_000;
    const after = await end(lease);
    expect(after).toMatchObject({
      status: 'queued',
      currentTurn: 2,
      queuedAt: ctx.t,
      finishedAt: null,
    });
    const [next] = await ctx.h.sys.leasing.lease(ctx.h.agent.id, 1);
    expect(next).toMatchObject({ taskId: lease.taskId, turn: 2, prompt: 'more', resume: true });
  });

  it('refuses a follow-up to a cancelled task', async () => {
    const task = await ctx.h.create();
    await ctx.h.sys.kill.kill(task.id, 'ann');
    await expect(ctx.h.sys.turns.followUp(task.id, 'more', 'ann')).rejects.toBeInstanceOf(
      ConflictError,
    );
  });

  it('refuses the end of a turn that is not current, or whose output is not all stored', async () => {
    const lease = await running();
    const other = ctx.h.addAgent(ctx.h.ws.id, 'pod-2');
    await expect(
      ctx.h.sys.turns.turnFinished(other.id, lease.taskId, finished(1)),
    ).rejects.toBeInstanceOf(TurnNotCurrentError);
    const incomplete = await end(lease, { lastSeq: 3 }).catch((e: unknown) => e);
    expect(incomplete).toBeInstanceOf(OutputIncompleteError);
    expect(incomplete).toMatchObject({ code: 'output_incomplete', details: { ackSeq: 0 } });
    expect(ctx.h.task(lease.taskId).status).toBe('running');
  });
});

describe('withRunCost', () => {
  const summary = (sessionId: string, costUsd: number | null) => ({ ...emptySummary(), sessionId, costUsd });
  const report = (sessionId: string, costUsd: number | null) => ({
    turn: 3,
    exitCode: 0,
    signal: null,
    outcome: 'exited' as const,
    lastSeq: 0,
    reason: null,
    stderrTail: null,
    summary: summary(sessionId, costUsd),
  });
  const turnWith = (s: Record<string, unknown> | null) => ({ summary: s }) as unknown as TurnRow;

  it("makes a resumed run's cost its session total less the highest total reported before", () => {
    const turns = [turnWith({ ...summary('s1', 0.1), sessionCostUsd: 0.1 }), turnWith({ ...summary('s1', 0.2), sessionCostUsd: 0.3 })];
    const run = withRunCost(report('s1', 0.45) as never, turns);
    expect(run.summary.costUsd).toBeCloseTo(0.15, 10);
    expect((run.summary as unknown as { sessionCostUsd: number }).sessionCostUsd).toBe(0.45);
  });

  it('counts a fresh session from zero, reads v0.1.0 rows (total in costUsd) and never goes negative', () => {
    expect(withRunCost(report('s2', 0.2) as never, [turnWith(summary('s1', 5))]).summary.costUsd).toBe(0.2);
    expect(withRunCost(report('s1', 0.7) as never, [turnWith(summary('s1', 0.5))]).summary.costUsd).toBeCloseTo(0.2, 10);
    expect(withRunCost(report('s1', 0.1) as never, [turnWith(summary('s1', 0.5))]).summary.costUsd).toBe(0);
    expect(withRunCost(report('s1', null) as never, [turnWith(summary('s1', 0.5))]).summary.costUsd).toBeNull();
  });
});
