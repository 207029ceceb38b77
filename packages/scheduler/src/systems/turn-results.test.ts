import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
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
import {
  createHarness,
  finished,
  startRedis,
  waitForLease,
  type Harness,
  type RedisServer,
} from '../test-support.ts';
import { withRunCost } from './turn-results.ts';

let redis: RedisServer;
let h: Harness;
let t: number;

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});
beforeEach(async () => {
  t = Date.UTC(2030, 0, 15, 12);
  h = await createHarness(redis.url, () => t, { maxAttempts: 2 });
});
afterEach(async () => {
  await h?.close();
});

/** Creates a task, leases it and starts its first turn. */
async function running(prompt = 'p'): Promise<Lease> {
  const task = await h.create({ prompt });
  const [lease] = await h.sys.leasing.lease(h.agent.id, 1);
  expect(lease?.taskId).toBe(task.id);
  h.sys.turns.turnStarted(h.agent.id, task.id, 1);
  return lease!;
}

const end = (lease: Lease, body: Partial<TurnFinished> = {}) =>
  h.sys.turns.turnFinished(h.agent.id, lease.taskId, { ...finished(lease.turn), ...body });

const limited = (resetsAt: number | null) =>
  finished(1, {
    outcome: 'rate_limited',
    exitCode: 1,
    summary: { isError: true, rateLimit: { resetsAt, kind: 'five_hour', message: null } },
  });

describe('turn results', () => {
  it('completes a turn: totals added, job gone, slot free for the next task', async () => {
    const lease = await running();
    const next = await h.create();
    t += 3_000;
    const row = await end(lease);
    expect(row).toMatchObject({
      status: 'completed',
      costUsd: 0.5,
      numTurns: 1,
      finishedAt: t,
      attempts: 0,
    });
    expect(listTurns(h.db.db, lease.taskId)[0]).toMatchObject({
      status: 'completed',
      outcome: 'exited',
    });
    expect(await h.resources.queues.exists(row.queueName!, row.jobId!)).toBe(false);
    expect((await h.sys.leasing.lease(h.agent.id, 1)).map((l) => l.taskId)).toEqual([next.id]);
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
    await h.sys.kill.kill(lease.taskId, 'ann');
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
    const jobId = h.task(lease.taskId).jobId;
    const row = await end(lease, {
      outcome: 'spawn_failed',
      exitCode: null,
      reason: 'tmux: no server',
    });
    expect(row).toMatchObject({ status: 'queued', attempts: 1, agentId: null, jobId });
    expect(listTurns(h.db.db, lease.taskId)[0]?.status).toBe('queued');
    // The same job waits out its backoff (2 s of Redis time) before it is offered again.
    expect(await h.sys.leasing.lease(h.agent.id, 1)).toEqual([]);
    const retry = await waitForLease(h, h.agent.id);
    expect(retry).toMatchObject({ taskId: lease.taskId, turn: 1 });
    h.sys.turns.turnStarted(h.agent.id, lease.taskId, 1);
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
    const resetsAt = t + 60_000;
    const row = await end(lease, limited(resetsAt));
    expect(row).toMatchObject({
      status: 'rate_limited',
      rateLimitedUntil: resetsAt,
      attempts: 0,
      agentId: null,
    });
    expect(findWorkspace(h.db.db, h.ws.id)?.rateLimitedUntil).toBe(resetsAt);
    expect(h.sys.workspaces.problems(findWorkspace(h.db.db, h.ws.id)!)).toEqual([
      `rate limited until ${new Date(resetsAt).toISOString()}`,
    ]);
  });

  it('backs off the whole team when the workspace shares the team key, exponentially when no reset is known', async () => {
    updateWorkspace(h.db.db, h.ws.id, { rateLimitScope: 'team' });
    const mate = insertWorkspace(h.db.db, {
      name: 'mate',
      teamId: h.team.id,
      workdirRoots: ['/tmp'],
    });
    const lease = await running();
    const row = await end(lease, limited(null));
    // 30 s doubling from level 0, jitter keeping at least half.
    expect(row.rateLimitedUntil! - t).toBeGreaterThanOrEqual(15_000);
    expect(row.rateLimitedUntil! - t).toBeLessThanOrEqual(30_000);
    expect(h.sys.backoff.blockedUntil(mate)).toBe(row.rateLimitedUntil);
    expect(findWorkspace(h.db.db, h.ws.id)).toMatchObject({
      backoffLevel: 1,
      rateLimitedUntil: null,
    });
  });

  it('makes a follow-up the next turn once the current one ends, resuming the session', async () => {
    const lease = await running('first');
    const audit = {
      actor: 'ann',
      teamId: h.team.id,
      action: 'task.messaged',
      targetType: 'task',
      targetId: lease.taskId,
      details: {},
    };
    const during = await h.sys.turns.followUp(lease.taskId, 'more', 'ann', audit);
    expect(during).toMatchObject({ status: 'running', currentTurn: 1 });
    expect(listAudit(h.db.db, { limit: 5 })).toEqual([
      expect.objectContaining({ action: 'task.messaged', ts: t }),
    ]);
    t += 1_000;
    const after = await end(lease);
    expect(after).toMatchObject({
      status: 'queued',
      currentTurn: 2,
      queuedAt: t,
      finishedAt: null,
    });
    const [next] = await h.sys.leasing.lease(h.agent.id, 1);
    expect(next).toMatchObject({ taskId: lease.taskId, turn: 2, prompt: 'more', resume: true });
  });

  it('refuses a follow-up to a cancelled task', async () => {
    const task = await h.create();
    await h.sys.kill.kill(task.id, 'ann');
    await expect(h.sys.turns.followUp(task.id, 'more', 'ann')).rejects.toBeInstanceOf(
      ConflictError,
    );
  });

  it('refuses the end of a turn that is not current, or whose output is not all stored', async () => {
    const lease = await running();
    const other = h.addAgent(h.ws.id, 'pod-2');
    await expect(
      h.sys.turns.turnFinished(other.id, lease.taskId, finished(1)),
    ).rejects.toBeInstanceOf(TurnNotCurrentError);
    const incomplete = await end(lease, { lastSeq: 3 }).catch((e: unknown) => e);
    expect(incomplete).toBeInstanceOf(OutputIncompleteError);
    expect(incomplete).toMatchObject({ code: 'output_incomplete', details: { ackSeq: 0 } });
    expect(h.task(lease.taskId).status).toBe('running');
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
