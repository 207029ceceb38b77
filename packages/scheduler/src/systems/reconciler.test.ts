import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { insertTask, insertWorkspace, markAgentLost, transitionTask } from '@switchyard/db';
import { workspaceQueueName } from '../queues.ts';
import { finished, useHarness } from '../test-support.ts';

const ctx = useHarness();

const aged = () => (ctx.t += ctx.h.resources.config.reconcileSafeAgeMs + 1);
const leased = async (agentId: string) =>
  (await ctx.h.sys.leasing.lease(agentId, 1)).map((l) => l.taskId);

describe('reconciler', () => {
  it('changes nothing when SQLite and Redis agree', async () => {
    await ctx.h.create();
    expect(await ctx.h.sys.reconciler.reconcile()).toEqual({
      ranAt: new Date(ctx.t).toISOString(),
      enqueued: [],
      removedJobs: [],
      requeuedLeases: [],
      freedJobs: [],
    });
  });

  it('enqueues a queued task whose job Redis lost', async () => {
    const task = await ctx.h.create();
    await ctx.h.resources.queues.remove(task.queueName!, task.jobId!);
    expect(await leased(ctx.h.agent.id)).toEqual([]);
    aged();
    const report = await ctx.h.sys.reconciler.reconcile();
    expect(report.enqueued).toEqual([task.id]);
    expect(ctx.h.task(task.id).jobId).not.toBe(task.jobId);
    expect(await leased(ctx.h.agent.id)).toEqual([task.id]);
  });

  it('removes a waiting job no live task stands behind, and keeps the report', async () => {
    const done = await ctx.h.create();
    await ctx.h.sys.leasing.lease(ctx.h.agent.id, 1);
    ctx.h.sys.turns.turnStarted(ctx.h.agent.id, done.id, 1);
    await ctx.h.sys.turns.turnFinished(ctx.h.agent.id, done.id, finished(1));
    const name = workspaceQueueName(ctx.h.ws.id);
    const ghost = await ctx.h.resources.queues.add(
      name,
      { taskId: 'tsk_ghost000000000', turn: 1 },
      { priority: 0 },
    );
    // A job left behind for a task that has finished.
    const late = await ctx.h.resources.queues.add(name, { taskId: done.id, turn: 1 }, { priority: 0 });
    // Seen once, young: it could be a create in flight.
    expect((await ctx.h.sys.reconciler.reconcile()).removedJobs).toEqual([]);
    aged();
    const report = await ctx.h.sys.reconciler.reconcile();
    expect(report.removedJobs.sort()).toEqual([ghost, late].sort());
    expect(await ctx.h.resources.queues.exists(name, ghost)).toBe(false);
    expect(await ctx.h.resources.queues.waitingJobs(name)).toEqual([]);
    expect(ctx.h.sys.reconciler.lastReport()).toBe(report);
  });

  it('returns a lease held by a lost agent to the queue', async () => {
    const task = await ctx.h.create();
    expect(await leased(ctx.h.agent.id)).toEqual([task.id]);
    markAgentLost(ctx.h.db.db, ctx.h.agent.id, ctx.t);
    aged();
    const report = await ctx.h.sys.reconciler.reconcile();
    expect(report.requeuedLeases).toEqual([task.id]);
    expect(ctx.h.task(task.id)).toMatchObject({ status: 'queued', agentId: null });
    const other = ctx.h.addAgent(ctx.h.ws.id, 'pod-2');
    expect(await leased(other.id)).toEqual([task.id]);
  });

  it('never touches a create still being written: its job exists, its row does not name it yet', async () => {
    const name = workspaceQueueName(ctx.h.ws.id);
    const row = ctx.h.db.tx(() => insertTask(ctx.h.db.db, ctx.h.values(), 'tester', ctx.t));
    const jobId = await ctx.h.resources.queues.add(name, { taskId: row.id, turn: 1 }, { priority: 0 });
    const report = await ctx.h.sys.reconciler.reconcile();
    expect(report).toMatchObject({ enqueued: [], removedJobs: [] });
    expect((await ctx.h.resources.queues.waitingJobs(name)).map((j) => j.jobId)).toEqual([jobId]);
  });

  it('frees a leased job whose task is no longer live, so the workspace takes work again', async () => {
    const task = await ctx.h.create();
    expect(await leased(ctx.h.agent.id)).toEqual([task.id]);
    ctx.h.sys.turns.turnStarted(ctx.h.agent.id, task.id, 1);
    // The task ended while Redis was away: its job stayed active, holding the concurrency.
    ctx.h.db.tx(() => transitionTask(ctx.h.db.db, ctx.h.task(task.id), 'lost', {}, { now: ctx.t }));
    const next = await ctx.h.create({ prompt: 'next' });
    expect(await leased(ctx.h.agent.id)).toEqual([]);
    expect((await ctx.h.sys.reconciler.reconcile()).freedJobs).toEqual([]);
    aged();
    expect((await ctx.h.sys.reconciler.reconcile()).freedJobs).toEqual([task.jobId]);
    expect(await leased(ctx.h.agent.id)).toEqual([next.id]);
  });

  it('keeps the leased job of a live task', async () => {
    const task = await ctx.h.create();
    expect(await leased(ctx.h.agent.id)).toEqual([task.id]);
    aged();
    expect((await ctx.h.sys.reconciler.reconcile()).freedJobs).toEqual([]);
    expect(await ctx.h.resources.queues.exists(task.queueName!, task.jobId!)).toBe(true);
  });

  it('costs the queues that hold jobs, not the fleet: as many Redis commands beside 300 idle workspaces as alone', async () => {
    const redis = new Redis(ctx.redisUrl);
    const commands = async (): Promise<number> => Number(/total_commands_processed:(\d+)/.exec(await redis.info('stats'))![1]);
    const pass = async (): Promise<number> => {
      const before = await commands();
      await ctx.h.sys.reconciler.reconcile();
      return (await commands()) - before;
    };
    try {
      await ctx.h.create();
      aged();
      await pass();
      const alone = await pass();
      for (let i = 0; i < 300; i++) insertWorkspace(ctx.h.db.db, { name: `idle-${i}`, teamId: ctx.h.team.id, workdirRoots: ['/tmp'], pool: i % 2 === 0 });
      expect(await pass()).toBe(alone);
    } finally {
      redis.disconnect();
    }
  });

  it('costs what differs, not what waits, on a routine pass: as many Redis commands for 60 queued tasks as for 10', async () => {
    const redis = new Redis(ctx.redisUrl);
    const commands = async (): Promise<number> => {
      const info = await redis.info('stats');
      return Number(/total_commands_processed:(\d+)/.exec(info)![1]);
    };
    /**
     * Redis commands one routine pass makes (the INFO that reads the count is one). A pass after
     * a sign also looks up each settled waiting row's job: a pipeline per page of rows.
     */
    const pass = async (): Promise<number> => {
      const before = await commands();
      expect(await ctx.h.sys.reconciler.reconcile({ thorough: false })).toMatchObject({ enqueued: [], removedJobs: [] });
      return (await commands()) - before;
    };
    try {
      for (let i = 0; i < 10; i++) await ctx.h.create();
      aged();
      await pass(); // the first pass of a queue loads BullMQ's scripts
      const few = await pass();
      for (let i = 0; i < 50; i++) await ctx.h.create();
      aged();
      expect(await pass()).toBe(few);
    } finally {
      redis.disconnect();
    }
  });

  it('leaves a create made during a pass alone, and still repairs an old missing job', async () => {
    const lost = await ctx.h.create();
    await ctx.h.resources.queues.remove(lost.queueName!, lost.jobId!);
    aged();
    const queues = ctx.h.resources.queues;
    const list = queues.queuesWithJobs.bind(queues);
    let during: Promise<{ id: string; jobId: string | null }> | undefined;
    // A create lands while the pass lists Redis, and another while it reads SQLite.
    queues.queuesWithJobs = async () => {
      during ??= ctx.h.create({ prompt: 'during' });
      await during;
      return list();
    };
    const racing = ctx.h.create({ prompt: 'racing' });
    const report = await ctx.h.sys.reconciler.reconcile();
    queues.queuesWithJobs = list;
    const [made, raced] = [await during!, await racing];
    expect(report).toMatchObject({ enqueued: [lost.id], removedJobs: [] });
    for (const t of [made, raced]) {
      expect(ctx.h.task(t.id).jobId).toBe(t.jobId);
      expect(await queues.exists(ctx.h.task(t.id).queueName!, t.jobId!)).toBe(true);
    }
    // Later passes agree too: nothing removed, nothing added twice.
    aged();
    expect(await ctx.h.sys.reconciler.reconcile()).toMatchObject({ enqueued: [], removedJobs: [] });
  });
});
