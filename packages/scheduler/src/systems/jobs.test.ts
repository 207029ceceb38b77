import { describe, expect, it } from 'vitest';
import { transitionTask, updateWorkspace } from '@switchyard/db';
import { finished, useHarness } from '../test-support.ts';

const ctx = useHarness();

describe('jobs', () => {
  it('returns a lease to the front of its queue, ahead of work that came later', async () => {
    updateWorkspace(ctx.h.db.db, ctx.h.ws.id, { maxConcurrency: 2 });
    const first = await ctx.h.create({ prompt: 'first' });
    expect((await ctx.h.sys.leasing.lease(ctx.h.agent.id, 1)).map((l) => l.taskId)).toEqual([first.id]);
    const second = await ctx.h.create({ prompt: 'second' });
    ctx.t += 1_000;
    await ctx.h.sys.jobs.returnLease(ctx.h.task(first.id), 'test');
    expect(ctx.h.task(first.id)).toMatchObject({ status: 'queued', updatedAt: ctx.t, jobId: first.jobId });
    const leases = await ctx.h.sys.leasing.lease(ctx.h.agent.id, 2);
    expect(leases.map((l) => l.taskId)).toEqual([first.id, second.id]);
  });

  it('enqueues anew when the leased job is gone', async () => {
    const task = await ctx.h.create();
    await ctx.h.sys.leasing.lease(ctx.h.agent.id, 1);
    await ctx.h.resources.queues.discard(task.queueName!, task.jobId!, ctx.h.task(task.id).leaseToken);
    await ctx.h.sys.jobs.returnLease(ctx.h.task(task.id), 'test');
    expect(ctx.h.task(task.id).jobId).not.toBe(task.jobId);
    expect((await ctx.h.sys.leasing.lease(ctx.h.agent.id, 1)).map((l) => l.taskId)).toEqual([task.id]);
  });

  it('drops the job of a leased task so that nothing offers it again', async () => {
    const task = await ctx.h.create();
    await ctx.h.sys.leasing.lease(ctx.h.agent.id, 1);
    const leased = ctx.h.task(task.id);
    ctx.h.db.tx(() => transitionTask(ctx.h.db.db, leased, 'cancelled', {}, { now: ctx.t }));
    await ctx.h.sys.jobs.dropJob(leased);
    expect(await ctx.h.resources.queues.exists(task.queueName!, task.jobId!)).toBe(false);
    // Dropping twice is harmless.
    await ctx.h.sys.jobs.dropJob(leased);
  });

  it('keeps a turn whose requeue meets Redis away: stored as queued, enqueued by the reconciler', async () => {
    const task = await ctx.h.create();
    await ctx.h.sys.leasing.lease(ctx.h.agent.id, 1);
    const { queues } = ctx.h.resources;
    const [add, delay] = [queues.add, queues.delay];
    const away = () => Promise.reject(new Error('Connection is closed.'));
    queues.add = away;
    queues.delay = away;
    // The agent's report is recorded whatever Redis does: it is not asked to send it again.
    const row = await ctx.h.sys.turns.turnFinished(ctx.h.agent.id, task.id, finished(1, { outcome: 'spawn_failed', exitCode: null }));
    expect(row.status).toBe('queued');
    [queues.add, queues.delay] = [add, delay];
    ctx.t += ctx.h.resources.config.reconcileSafeAgeMs + 1;
    expect((await ctx.h.sys.reconciler.reconcile()).enqueued).toEqual([task.id]);
  });
});
