import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { transitionTask, updateWorkspace } from '@switchyard/db';
import { createHarness, finished, startRedis, type Harness, type RedisServer } from '../test-support.ts';

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

describe('jobs', () => {
  it('returns a lease to the front of its queue, ahead of work that came later', async () => {
    updateWorkspace(h.db.db, h.ws.id, { maxConcurrency: 2 });
    const first = await h.create({ prompt: 'first' });
    expect((await h.sys.leasing.lease(h.agent.id, 1)).map((l) => l.taskId)).toEqual([first.id]);
    const second = await h.create({ prompt: 'second' });
    t += 1_000;
    await h.sys.jobs.returnLease(h.task(first.id), 'test');
    expect(h.task(first.id)).toMatchObject({ status: 'queued', updatedAt: t, jobId: first.jobId });
    const leases = await h.sys.leasing.lease(h.agent.id, 2);
    expect(leases.map((l) => l.taskId)).toEqual([first.id, second.id]);
  });

  it('enqueues anew when the leased job is gone', async () => {
    const task = await h.create();
    await h.sys.leasing.lease(h.agent.id, 1);
    await h.resources.queues.discard(task.queueName!, task.jobId!, h.task(task.id).leaseToken);
    await h.sys.jobs.returnLease(h.task(task.id), 'test');
    expect(h.task(task.id).jobId).not.toBe(task.jobId);
    expect((await h.sys.leasing.lease(h.agent.id, 1)).map((l) => l.taskId)).toEqual([task.id]);
  });

  it('drops the job of a leased task so that nothing offers it again', async () => {
    const task = await h.create();
    await h.sys.leasing.lease(h.agent.id, 1);
    const leased = h.task(task.id);
    h.db.tx(() => transitionTask(h.db.db, leased, 'cancelled', {}, { now: t }));
    await h.sys.jobs.dropJob(leased);
    expect(await h.resources.queues.exists(task.queueName!, task.jobId!)).toBe(false);
    // Dropping twice is harmless.
    await h.sys.jobs.dropJob(leased);
  });

  it('keeps a turn whose requeue meets Redis away: stored as queued, enqueued by the reconciler', async () => {
    const task = await h.create();
    await h.sys.leasing.lease(h.agent.id, 1);
    const { queues } = h.resources;
    const [add, delay] = [queues.add, queues.delay];
    const away = () => Promise.reject(new Error('Connection is closed.'));
    queues.add = away;
    queues.delay = away;
    // The agent's report is recorded whatever Redis does: it is not asked to send it again.
    const row = await h.sys.turns.turnFinished(h.agent.id, task.id, finished(1, { outcome: 'spawn_failed', exitCode: null }));
    expect(row.status).toBe('queued');
    [queues.add, queues.delay] = [add, delay];
    t += h.resources.config.reconcileSafeAgeMs + 1;
    expect((await h.sys.reconciler.reconcile()).enqueued).toEqual([task.id]);
  });
});
