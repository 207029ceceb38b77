import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { emptySummary } from '@switchyard/core';
import { findAgent, listTurns, updateWorkspace } from '@switchyard/db';
import {
  createHarness,
  finished,
  startRedis,
  waitForLease,
  type Harness,
  type RedisServer,
} from '../test-support.ts';

let redis: RedisServer;
let h: Harness;
let t: number;
const GRACE_MS = 90_000;

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});
beforeEach(async () => {
  t = Date.UTC(2030, 0, 15, 12);
  h = await createHarness(redis.url, () => t, { graceSec: GRACE_MS / 1000, maxAttempts: 2 });
});
afterEach(async () => {
  await h?.close();
});

/** One task running on the agent and one leased to it but not started. */
async function runningAndDispatched() {
  updateWorkspace(h.db.db, h.ws.id, { maxConcurrency: 2 });
  const run = await h.create({ prompt: 'running' });
  const pending = await h.create({ prompt: 'leased only' });
  expect(await h.sys.leasing.lease(h.agent.id, 2)).toHaveLength(2);
  h.sys.turns.turnStarted(h.agent.id, run.id, 1);
  return { run, pending };
}

describe('sweeps', () => {
  it('leaves an agent alone within its grace period', async () => {
    const { run, pending } = await runningAndDispatched();
    t += GRACE_MS - 1;
    await h.sys.sweeps.sweep();
    expect(findAgent(h.db.db, h.agent.id)?.lostAt).toBeNull();
    expect(h.task(run.id).status).toBe('running');
    expect(h.task(pending.id).status).toBe('dispatched');
  });

  it('loses the running task of an agent silent past grace, and requeues its unstarted lease', async () => {
    const { run, pending } = await runningAndDispatched();
    const offline: unknown[] = [];
    h.resources.hub.on('agent', (e) => offline.push(e));
    t += GRACE_MS;
    await h.sys.sweeps.sweep();
    expect(findAgent(h.db.db, h.agent.id)?.lostAt).toBe(t);
    expect(offline).toEqual([{ agentId: h.agent.id, workspaceId: h.ws.id, online: false }]);
    expect(h.task(run.id)).toMatchObject({
      status: 'lost',
      finishedAt: t,
      errorCode: 'agent_lost',
      errorMessage: 'agent pod-1 silent for more than 90s',
    });
    expect(listTurns(h.db.db, run.id)[0]).toMatchObject({ status: 'lost', outcome: 'lost' });
    expect(h.task(pending.id)).toMatchObject({
      status: 'queued',
      attempts: 1,
      agentId: null,
      queuedAt: t,
    });
    const lostJob = h.task(run.id);
    expect(await h.resources.queues.exists(lostJob.queueName!, lostJob.jobId!)).toBe(false);
  });

  it('fails an unstarted task whose agents vanished maxAttempts times', async () => {
    const { pending } = await runningAndDispatched();
    t += GRACE_MS;
    await h.sys.sweeps.sweep();
    // Requeued once (attempts 1); a fresh agent takes it and vanishes as well.
    const fresh = h.addAgent(h.ws.id, 'pod-2');
    expect((await waitForLease(h, fresh.id)).taskId).toBe(pending.id);
    t += GRACE_MS;
    await h.sys.sweeps.sweep();
    expect(h.task(pending.id)).toMatchObject({
      status: 'failed',
      attempts: 2,
      errorCode: 'agent_lost',
      errorMessage: 'agent pod-2 vanished before the turn started, 2 times',
    });
  });

  it('puts a rate-limited task back in the queue once its limit is over', async () => {
    const task = await h.create();
    await h.sys.leasing.lease(h.agent.id, 1);
    h.sys.turns.turnStarted(h.agent.id, task.id, 1);
    const rateLimit = { resetsAt: t + 60_000, kind: 'five_hour', message: null };
    const summary = { ...emptySummary(), isError: true, rateLimit };
    await h.sys.turns.turnFinished(
      h.agent.id,
      task.id,
      finished(1, { outcome: 'rate_limited', summary }),
    );
    t += 30_000;
    await h.sys.sweeps.sweep();
    expect(h.task(task.id).status).toBe('rate_limited');
    t += 30_000;
    await h.sys.sweeps.sweep();
    expect(h.task(task.id)).toMatchObject({
      status: 'queued',
      rateLimitedUntil: null,
      queuedAt: t,
    });
  });
});
