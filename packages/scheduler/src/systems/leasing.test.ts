import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import {
  insertWorkspace,
  setQuota,
  transitionTask,
  updateWorkspace,
  type AgentRow,
} from '@switchyard/db';
import { finished, useHarness, waitForLease } from '../test-support.ts';

const ctx = useHarness();

const lease = async (agent: AgentRow, slots = 4) =>
  (await ctx.h.sys.leasing.lease(agent.id, slots)).map((l) => l.taskId);

async function finish(agent: AgentRow, taskId: string): Promise<void> {
  ctx.h.sys.turns.turnStarted(agent.id, taskId, 1);
  await ctx.h.sys.turns.turnFinished(agent.id, taskId, finished(1));
}

describe('leasing', () => {
  it('leases again a pool turn that started and waits once more, pinned to its workspace, its job in the pool queue', async () => {
    updateWorkspace(ctx.h.db.db, ctx.h.ws.id, { pool: true });
    const task = await ctx.h.create({ workspaceId: null });
    expect(await lease(ctx.h.agent)).toEqual([task.id]);
    ctx.h.sys.turns.turnStarted(ctx.h.agent.id, task.id, 1);
    // The API was overloaded past the CLI's retries: the turn waits out a backoff, then runs again.
    await ctx.h.sys.turns.turnFinished(ctx.h.agent.id, task.id, finished(1, { summary: { resultSubtype: 'error_during_execution', isError: true, errorKind: 'overloaded' } }));
    expect(ctx.h.task(task.id)).toMatchObject({ status: 'queued', workspaceId: ctx.h.ws.id });
    expect((await waitForLease(ctx.h, ctx.h.agent.id)).taskId).toBe(task.id);
  });

  it('asks Redis nothing when no task of the workspace or its pool waits, and still leases the next one', async () => {
    updateWorkspace(ctx.h.db.db, ctx.h.ws.id, { pool: true });
    const first = await ctx.h.create();
    expect(await lease(ctx.h.agent)).toEqual([first.id]);
    await finish(ctx.h.agent, first.id);
    const redis = new Redis(ctx.redisUrl);
    const commands = async (): Promise<number> => Number(/total_commands_processed:(\d+)/.exec(await redis.info('stats'))![1]);
    try {
      const before = await commands();
      for (let i = 0; i < 20; i++) expect(await lease(ctx.h.agent)).toEqual([]);
      // The INFO that reads the count is the only command.
      expect((await commands()) - before).toBe(1);
    } finally {
      redis.disconnect();
    }
    const next = await ctx.h.create();
    expect(await lease(ctx.h.agent)).toEqual([next.id]);
  });

  it('grants up to the workspace concurrency, higher priority first, then first come', async () => {
    updateWorkspace(ctx.h.db.db, ctx.h.ws.id, { maxConcurrency: 2 });
    const low1 = await ctx.h.create({ prompt: 'low1' });
    const low2 = await ctx.h.create({ prompt: 'low2' });
    const high = await ctx.h.create({ prompt: 'high', priority: 10 });
    const leases = await ctx.h.sys.leasing.lease(ctx.h.agent.id, 4);
    expect(leases.map((l) => l.taskId)).toEqual([high.id, low1.id]);
    expect(leases[0]).toMatchObject({ turn: 1, prompt: 'high', resume: false, startSeq: 1 });
    expect(await lease(ctx.h.agent)).toEqual([]);
    expect(ctx.h.task(low1.id)).toMatchObject({
      status: 'dispatched',
      agentId: ctx.h.agent.id,
      updatedAt: ctx.t,
    });
    expect(ctx.h.task(low2.id).status).toBe('queued');
    await finish(ctx.h.agent, high.id);
    expect(await lease(ctx.h.agent)).toEqual([low2.id]);
  });

  it('grants no more than the agent has free slots', async () => {
    updateWorkspace(ctx.h.db.db, ctx.h.ws.id, { maxConcurrency: 4 });
    await ctx.h.create();
    await ctx.h.create();
    expect(await lease(ctx.h.agent, 1)).toHaveLength(1);
    expect(await lease(ctx.h.agent, 0)).toEqual([]);
    expect(await lease(ctx.h.agent, 1)).toHaveLength(1);
  });

  it('holds work past the team running limit', async () => {
    updateWorkspace(ctx.h.db.db, ctx.h.ws.id, { maxConcurrency: 4 });
    setQuota(ctx.h.db.db, ctx.h.team.id, {
      maxRunning: 1,
      maxQueued: null,
      tasksPerDay: null,
      monthlyBudgetUsd: null,
    });
    const a = await ctx.h.create();
    const b = await ctx.h.create();
    expect(await lease(ctx.h.agent)).toEqual([a.id]);
    expect(await lease(ctx.h.agent)).toEqual([]);
    await finish(ctx.h.agent, a.id);
    expect(await lease(ctx.h.agent)).toEqual([b.id]);
  });

  it('gives a freed team slot to the workspace whose work waited longest', async () => {
    updateWorkspace(ctx.h.db.db, ctx.h.ws.id, { maxConcurrency: 4 });
    const w2 = insertWorkspace(ctx.h.db.db, {
      name: 'w2',
      teamId: ctx.h.team.id,
      workdirRoots: ['/tmp'],
      maxConcurrency: 4,
    });
    const a2 = ctx.h.addAgent(w2.id, 'pod-w2');
    setQuota(ctx.h.db.db, ctx.h.team.id, {
      maxRunning: 1,
      maxQueued: null,
      tasksPerDay: null,
      monthlyBudgetUsd: null,
    });
    const first = await ctx.h.create({ prompt: 'local-1' });
    expect(await lease(ctx.h.agent)).toEqual([first.id]);
    ctx.t += 1_000;
    const waitedLong = await ctx.h.create({ workspaceId: w2.id, prompt: 'w2 waits first' });
    ctx.t += 1_000;
    const later = await ctx.h.create({ prompt: 'local-2' });
    expect(await lease(a2)).toEqual([]);
    await finish(ctx.h.agent, first.id);
    const woken: string[] = [];
    ctx.h.resources.hub.on('wake', (id) => woken.push(id));
    // local's agent asks first, but w2 has waited longer: local gets nothing and w2 is woken.
    expect(await lease(ctx.h.agent)).toEqual([]);
    expect(woken).toContain(w2.id);
    expect(await lease(a2)).toEqual([waitedLong.id]);
    expect(ctx.h.task(later.id).status).toBe('queued');
  });

  it('refuses a job whose task no longer waits for it, and drops that job', async () => {
    const stale = await ctx.h.create({ prompt: 'cancelled behind the queue’s back' });
    const next = await ctx.h.create({ prompt: 'next' });
    ctx.h.db.tx(() => transitionTask(ctx.h.db.db, stale, 'cancelled', {}, { now: ctx.t }));
    expect(await lease(ctx.h.agent)).toEqual([next.id]);
    expect(await ctx.h.resources.queues.exists(stale.queueName!, stale.jobId!)).toBe(false);
  });

  it('gives nothing to an agent of a paused workspace', async () => {
    await ctx.h.create();
    updateWorkspace(ctx.h.db.db, ctx.h.ws.id, { paused: true });
    expect(await lease(ctx.h.agent)).toEqual([]);
    updateWorkspace(ctx.h.db.db, ctx.h.ws.id, { paused: false });
    expect(await lease(ctx.h.agent)).toHaveLength(1);
  });

  it('runs a pool task on a pool workspace and pins it there', async () => {
    const pool = insertWorkspace(ctx.h.db.db, {
      name: 'p1',
      teamId: ctx.h.team.id,
      workdirRoots: ['/tmp'],
      pool: true,
    });
    const poolAgent = ctx.h.addAgent(pool.id, 'pod-p1');
    const task = await ctx.h.create({ workspaceId: null });
    expect(await lease(ctx.h.agent)).toEqual([]);
    expect(await lease(poolAgent)).toEqual([task.id]);
    expect(ctx.h.task(task.id)).toMatchObject({
      workspaceId: pool.id,
      queueName: `{pool-${ctx.h.team.id}}`,
    });
  });

  it('leases across 200 workspaces on the connections it has, opening no new one', async () => {
    const probe = new Redis(ctx.redisUrl);
    const stats = async () => {
      const info = await probe.info();
      const n = (key: string) => Number(new RegExp(`${key}:(\\d+)`).exec(info)![1]);
      return { opened: n('total_connections_received'), open: n('connected_clients') };
    };
    const fleet = [];
    for (let i = 0; i < 200; i++) {
      const ws = insertWorkspace(ctx.h.db.db, { name: `f${i}`, teamId: ctx.h.team.id, workdirRoots: ['/tmp'] });
      const agent = ctx.h.addAgent(ws.id, `pod-f${i}`);
      fleet.push({ agent, task: await ctx.h.create({ workspaceId: ws.id }) });
    }
    const before = await stats();
    for (const { agent, task } of fleet) expect(await lease(agent)).toEqual([task.id]);
    // Every workspace polled again, finding nothing: the misses open nothing either.
    for (const { agent } of fleet) expect(await lease(agent)).toEqual([]);
    expect(await stats()).toEqual(before);
    await probe.quit();
  });
});
