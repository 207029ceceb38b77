import { describe, expect, it } from 'vitest';
import { emptySummary } from '@switchyard/core';
import { findAgent, listTurns, updateWorkspace } from '@switchyard/db';
import { finished, useHarness, waitForLease } from '../test-support.ts';

const GRACE_MS = 90_000;
const ctx = useHarness({ graceSec: GRACE_MS / 1000, maxAttempts: 2 });

/** One task running on the agent and one leased to it but not started. */
async function runningAndDispatched() {
  updateWorkspace(ctx.h.db.db, ctx.h.ws.id, { maxConcurrency: 2 });
  const run = await ctx.h.create({ prompt: 'running' });
  const pending = await ctx.h.create({ prompt: 'leased only' });
  expect(await ctx.h.sys.leasing.lease(ctx.h.agent.id, 2)).toHaveLength(2);
  ctx.h.sys.turns.turnStarted(ctx.h.agent.id, run.id, 1);
  return { run, pending };
}

describe('sweeps', () => {
  it('leaves an agent alone within its grace period', async () => {
    const { run, pending } = await runningAndDispatched();
    ctx.t += GRACE_MS - 1;
    await ctx.h.sys.sweeps.sweep();
    expect(findAgent(ctx.h.db.db, ctx.h.agent.id)?.lostAt).toBeNull();
    expect(ctx.h.task(run.id).status).toBe('running');
    expect(ctx.h.task(pending.id).status).toBe('dispatched');
  });

  it('loses the running task of an agent silent past grace, and requeues its unstarted lease', async () => {
    const { run, pending } = await runningAndDispatched();
    const offline: unknown[] = [];
    ctx.h.resources.hub.on('agent', (e) => offline.push(e));
    ctx.t += GRACE_MS;
    await ctx.h.sys.sweeps.sweep();
    expect(findAgent(ctx.h.db.db, ctx.h.agent.id)?.lostAt).toBe(ctx.t);
    expect(offline).toEqual([{ agentId: ctx.h.agent.id, workspaceId: ctx.h.ws.id, online: false }]);
    expect(ctx.h.task(run.id)).toMatchObject({
      status: 'lost',
      finishedAt: ctx.t,
      errorCode: 'agent_lost',
      errorMessage: 'agent pod-1 silent for more than 90s',
    });
    expect(listTurns(ctx.h.db.db, run.id)[0]).toMatchObject({ status: 'lost', outcome: 'lost' });
    expect(ctx.h.task(pending.id)).toMatchObject({
      status: 'queued',
      attempts: 1,
      agentId: null,
      queuedAt: ctx.t,
    });
    const lostJob = ctx.h.task(run.id);
    expect(await ctx.h.resources.queues.exists(lostJob.queueName!, lostJob.jobId!)).toBe(false);
  });

  it('fails an unstarted task whose agents vanished maxAttempts times', async () => {
    const { pending } = await runningAndDispatched();
    ctx.t += GRACE_MS;
    await ctx.h.sys.sweeps.sweep();
    // Requeued once (attempts 1); a fresh agent takes it and vanishes as well.
    const fresh = ctx.h.addAgent(ctx.h.ws.id, 'pod-2');
    expect((await waitForLease(ctx.h, fresh.id)).taskId).toBe(pending.id);
    ctx.t += GRACE_MS;
    await ctx.h.sys.sweeps.sweep();
    expect(ctx.h.task(pending.id)).toMatchObject({
      status: 'failed',
      attempts: 2,
      errorCode: 'agent_lost',
      errorMessage: 'agent pod-2 vanished before the turn started, 2 times',
    });
  });

  it('puts a rate-limited task back in the queue once its limit is over', async () => {
    const task = await ctx.h.create();
    await ctx.h.sys.leasing.lease(ctx.h.agent.id, 1);
    ctx.h.sys.turns.turnStarted(ctx.h.agent.id, task.id, 1);
    const rateLimit = { resetsAt: ctx.t + 60_000, kind: 'five_hour', message: null };
    const summary = { ...emptySummary(), isError: true, rateLimit };
    await ctx.h.sys.turns.turnFinished(
      ctx.h.agent.id,
      task.id,
      finished(1, { outcome: 'rate_limited', summary }),
    );
    ctx.t += 30_000;
    await ctx.h.sys.sweeps.sweep();
    expect(ctx.h.task(task.id).status).toBe('rate_limited');
    ctx.t += 30_000;
    await ctx.h.sys.sweeps.sweep();
    expect(ctx.h.task(task.id)).toMatchObject({
      status: 'queued',
      rateLimitedUntil: null,
      queuedAt: ctx.t,
    });
  });
});
