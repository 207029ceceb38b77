import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { insertTask, markAgentLost, transitionTask } from '@switchyard/db';
import { workspaceQueueName } from '../queues.ts';
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

const aged = () => (t += h.resources.config.reconcileSafeAgeMs + 1);
const leased = async (agentId: string) =>
  (await h.sys.leasing.lease(agentId, 1)).map((l) => l.taskId);

describe('reconciler', () => {
  it('changes nothing when SQLite and Redis agree', async () => {
    await h.create();
    expect(await h.sys.reconciler.reconcile()).toEqual({
      ranAt: new Date(t).toISOString(),
      enqueued: [],
      removedJobs: [],
      requeuedLeases: [],
      freedJobs: [],
    });
  });

  it('enqueues a queued task whose job Redis lost', async () => {
    const task = await h.create();
    await h.resources.queues.remove(task.queueName!, task.jobId!);
    expect(await leased(h.agent.id)).toEqual([]);
    aged();
    const report = await h.sys.reconciler.reconcile();
    expect(report.enqueued).toEqual([task.id]);
    expect(h.task(task.id).jobId).not.toBe(task.jobId);
    expect(await leased(h.agent.id)).toEqual([task.id]);
  });

  it('removes a waiting job no live task stands behind, and keeps the report', async () => {
    const done = await h.create();
    await h.sys.leasing.lease(h.agent.id, 1);
    h.sys.turns.turnStarted(h.agent.id, done.id, 1);
    await h.sys.turns.turnFinished(h.agent.id, done.id, finished(1));
    const name = workspaceQueueName(h.ws.id);
    const ghost = await h.resources.queues.add(
      name,
      { taskId: 'tsk_ghost000000000', turn: 1 },
      { priority: 0 },
    );
    // A job left behind for a task that has finished.
    const late = await h.resources.queues.add(name, { taskId: done.id, turn: 1 }, { priority: 0 });
    // Seen once, young: it could be a create in flight.
    expect((await h.sys.reconciler.reconcile()).removedJobs).toEqual([]);
    aged();
    const report = await h.sys.reconciler.reconcile();
    expect(report.removedJobs.sort()).toEqual([ghost, late].sort());
    expect(await h.resources.queues.exists(name, ghost)).toBe(false);
    expect(await h.resources.queues.waitingJobs(name)).toEqual([]);
    expect(h.sys.reconciler.lastReport()).toBe(report);
  });

  it('returns a lease held by a lost agent to the queue', async () => {
    const task = await h.create();
    expect(await leased(h.agent.id)).toEqual([task.id]);
    markAgentLost(h.db.db, h.agent.id, t);
    aged();
    const report = await h.sys.reconciler.reconcile();
    expect(report.requeuedLeases).toEqual([task.id]);
    expect(h.task(task.id)).toMatchObject({ status: 'queued', agentId: null });
    const other = h.addAgent(h.ws.id, 'pod-2');
    expect(await leased(other.id)).toEqual([task.id]);
  });

  it('never touches a create still being written: its job exists, its row does not name it yet', async () => {
    const name = workspaceQueueName(h.ws.id);
    const row = h.db.tx(() => insertTask(h.db.db, h.values(), 'tester', t));
    const jobId = await h.resources.queues.add(name, { taskId: row.id, turn: 1 }, { priority: 0 });
    const report = await h.sys.reconciler.reconcile();
    expect(report).toMatchObject({ enqueued: [], removedJobs: [] });
    expect((await h.resources.queues.waitingJobs(name)).map((j) => j.jobId)).toEqual([jobId]);
  });

  it('frees a leased job whose task is no longer live, so the workspace takes work again', async () => {
    const task = await h.create();
    expect(await leased(h.agent.id)).toEqual([task.id]);
    h.sys.turns.turnStarted(h.agent.id, task.id, 1);
    // The task ended while Redis was away: its job stayed active, holding the concurrency.
    h.db.tx(() => transitionTask(h.db.db, h.task(task.id), 'lost', {}, { now: t }));
    const next = await h.create({ prompt: 'next' });
    expect(await leased(h.agent.id)).toEqual([]);
    expect((await h.sys.reconciler.reconcile()).freedJobs).toEqual([]);
    aged();
    expect((await h.sys.reconciler.reconcile()).freedJobs).toEqual([task.jobId]);
    expect(await leased(h.agent.id)).toEqual([next.id]);
  });

  it('keeps the leased job of a live task', async () => {
    const task = await h.create();
    expect(await leased(h.agent.id)).toEqual([task.id]);
    aged();
    expect((await h.sys.reconciler.reconcile()).freedJobs).toEqual([]);
    expect(await h.resources.queues.exists(task.queueName!, task.jobId!)).toBe(true);
  });
});
