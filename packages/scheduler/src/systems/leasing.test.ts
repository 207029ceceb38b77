import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  insertWorkspace,
  setQuota,
  transitionTask,
  updateWorkspace,
  type AgentRow,
} from '@switchyard/db';
import {
  createHarness,
  finished,
  startRedis,
  type Harness,
  type RedisServer,
} from '../test-support.ts';

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
  h = await createHarness(redis.url, () => t);
});
afterEach(async () => {
  await h?.close();
});

const lease = async (agent: AgentRow, slots = 4) =>
  (await h.sys.leasing.lease(agent.id, slots)).map((l) => l.taskId);

async function finish(agent: AgentRow, taskId: string): Promise<void> {
  h.sys.turns.turnStarted(agent.id, taskId, 1);
  await h.sys.turns.turnFinished(agent.id, taskId, finished(1));
}

describe('leasing', () => {
  it('grants up to the workspace concurrency, higher priority first, then first come', async () => {
    updateWorkspace(h.db.db, h.ws.id, { maxConcurrency: 2 });
    const low1 = await h.create({ prompt: 'low1' });
    const low2 = await h.create({ prompt: 'low2' });
    const high = await h.create({ prompt: 'high', priority: 10 });
    const leases = await h.sys.leasing.lease(h.agent.id, 4);
    expect(leases.map((l) => l.taskId)).toEqual([high.id, low1.id]);
    expect(leases[0]).toMatchObject({ turn: 1, prompt: 'high', resume: false, startSeq: 1 });
    expect(await lease(h.agent)).toEqual([]);
    expect(h.task(low1.id)).toMatchObject({
      status: 'dispatched',
      agentId: h.agent.id,
      updatedAt: t,
    });
    expect(h.task(low2.id).status).toBe('queued');
    await finish(h.agent, high.id);
    expect(await lease(h.agent)).toEqual([low2.id]);
  });

  it('grants no more than the agent has free slots', async () => {
    updateWorkspace(h.db.db, h.ws.id, { maxConcurrency: 4 });
    await h.create();
    await h.create();
    expect(await lease(h.agent, 1)).toHaveLength(1);
    expect(await lease(h.agent, 0)).toEqual([]);
    expect(await lease(h.agent, 1)).toHaveLength(1);
  });

  it('holds work past the team running limit', async () => {
    updateWorkspace(h.db.db, h.ws.id, { maxConcurrency: 4 });
    setQuota(h.db.db, h.team.id, {
      maxRunning: 1,
      maxQueued: null,
      tasksPerDay: null,
      monthlyBudgetUsd: null,
    });
    const a = await h.create();
    const b = await h.create();
    expect(await lease(h.agent)).toEqual([a.id]);
    expect(await lease(h.agent)).toEqual([]);
    await finish(h.agent, a.id);
    expect(await lease(h.agent)).toEqual([b.id]);
  });

  it('gives a freed team slot to the workspace whose work waited longest', async () => {
    updateWorkspace(h.db.db, h.ws.id, { maxConcurrency: 4 });
    const w2 = insertWorkspace(h.db.db, {
      name: 'w2',
      teamId: h.team.id,
      workdirRoots: ['/tmp'],
      maxConcurrency: 4,
    });
    const a2 = h.addAgent(w2.id, 'pod-w2');
    setQuota(h.db.db, h.team.id, {
      maxRunning: 1,
      maxQueued: null,
      tasksPerDay: null,
      monthlyBudgetUsd: null,
    });
    const first = await h.create({ prompt: 'local-1' });
    expect(await lease(h.agent)).toEqual([first.id]);
    t += 1_000;
    const waitedLong = await h.create({ workspaceId: w2.id, prompt: 'w2 waits first' });
    t += 1_000;
    const later = await h.create({ prompt: 'local-2' });
    expect(await lease(a2)).toEqual([]);
    await finish(h.agent, first.id);
    const woken: string[] = [];
    h.resources.hub.on('wake', (id) => woken.push(id));
    // local's agent asks first, but w2 has waited longer: local gets nothing and w2 is woken.
    expect(await lease(h.agent)).toEqual([]);
    expect(woken).toContain(w2.id);
    expect(await lease(a2)).toEqual([waitedLong.id]);
    expect(h.task(later.id).status).toBe('queued');
  });

  it('refuses a job whose task no longer waits for it, and drops that job', async () => {
    const stale = await h.create({ prompt: 'cancelled behind the queue’s back' });
    const next = await h.create({ prompt: 'next' });
    h.db.tx(() => transitionTask(h.db.db, stale, 'cancelled', {}, { now: t }));
    expect(await lease(h.agent)).toEqual([next.id]);
    expect(await h.resources.queues.exists(stale.queueName!, stale.jobId!)).toBe(false);
  });

  it('gives nothing to an agent of a paused workspace', async () => {
    await h.create();
    updateWorkspace(h.db.db, h.ws.id, { paused: true });
    expect(await lease(h.agent)).toEqual([]);
    updateWorkspace(h.db.db, h.ws.id, { paused: false });
    expect(await lease(h.agent)).toHaveLength(1);
  });

  it('runs a pool task on a pool workspace and pins it there', async () => {
    const pool = insertWorkspace(h.db.db, {
      name: 'p1',
      teamId: h.team.id,
      workdirRoots: ['/tmp'],
      pool: true,
    });
    const poolAgent = h.addAgent(pool.id, 'pod-p1');
    const task = await h.create({ workspaceId: null });
    expect(await lease(h.agent)).toEqual([]);
    expect(await lease(poolAgent)).toEqual([task.id]);
    expect(h.task(task.id)).toMatchObject({
      workspaceId: pool.id,
      queueName: `{pool-${h.team.id}}`,
    });
  });
});
