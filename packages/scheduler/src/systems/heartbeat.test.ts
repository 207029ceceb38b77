import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { RunningTurn } from '@switchyard/core';
import { listTaskEvents, updateWorkspace } from '@switchyard/db';
import {
  createHarness,
  finished,
  startRedis,
  type Harness,
  type RedisServer,
} from '../test-support.ts';
import { LEASE_LOST_MS } from './heartbeat.ts';

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

const turn = (taskId: string, alive = true): RunningTurn => ({ taskId, turn: 1, ackSeq: 0, alive });
const beat = (running: RunningTurn[] = [], since = t) =>
  h.sys.heartbeat.heartbeat(h.agent.id, running, since);

/** A task leased to `h.agent` and started there. */
async function running() {
  const task = await h.create();
  await h.sys.leasing.lease(h.agent.id, 1);
  h.sys.turns.turnStarted(h.agent.id, task.id, 1);
  return h.task(task.id);
}

/** What Redis loses when it restarts without (all of) its data. */
async function forget(what: 'lock' | 'job', taskId: string): Promise<void> {
  const { jobId, queueName } = h.task(taskId);
  const raw = new Redis(redis.url);
  await raw.del(`${h.resources.config.prefix}:${queueName}:${jobId}:lock`);
  await raw.quit();
  if (what === 'job') await h.resources.queues.remove(queueName!, jobId!);
}

describe('heartbeat', () => {
  it('tells the agent to kill a running turn someone asked to kill', async () => {
    const task = await h.create();
    await h.sys.leasing.lease(h.agent.id, 1);
    h.sys.turns.turnStarted(h.agent.id, task.id, 1);
    expect(await beat([turn(task.id)])).toEqual([]);
    await h.sys.kill.kill(task.id, 'ann');
    expect(await beat([turn(task.id)])).toEqual([
      { type: 'kill', taskId: task.id, reason: 'killed by request (ann)' },
    ]);
  });

  it('tells the agent to abandon turns the API no longer expects from it', async () => {
    const task = await h.create();
    await h.sys.leasing.lease(h.agent.id, 1);
    h.sys.turns.turnStarted(h.agent.id, task.id, 1);
    await h.sys.turns.turnFinished(h.agent.id, task.id, finished(1));
    expect(await beat([turn(task.id), turn('tsk_unknown0000000')])).toEqual([
      { type: 'abandon', taskId: task.id, reason: 'task is completed' },
      { type: 'abandon', taskId: 'tsk_unknown0000000', reason: 'unknown task' },
    ]);
    // A turn that ended and whose report is on its way is still expected.
    expect(await beat([turn(task.id, false)])).toEqual([]);
  });

  it('returns a lease the agent never received, once it is older than the last sync', async () => {
    updateWorkspace(h.db.db, h.ws.id, { maxConcurrency: 2 });
    const lost = await h.create({ prompt: 'lost in transit' });
    const held = await h.create({ prompt: 'held' });
    expect(await h.sys.leasing.lease(h.agent.id, 2)).toHaveLength(2);
    const jobId = h.task(lost.id).jobId;
    // A sync that began right after the lease may simply not have seen it yet.
    t += 1_000;
    await beat([turn(held.id)]);
    expect(h.task(lost.id).status).toBe('dispatched');
    t += LEASE_LOST_MS;
    await beat([turn(held.id)]);
    expect(h.task(lost.id)).toMatchObject({
      status: 'queued',
      agentId: null,
      leaseToken: null,
      jobId,
    });
    expect(h.task(held.id).status).toBe('dispatched');
    // The same job is back in its queue, not a second one.
    const again = await h.sys.leasing.lease(h.agent.id, 2);
    expect(again.map((l) => l.taskId)).toEqual([lost.id]);
    expect(h.task(lost.id).jobId).toBe(jobId);
  });

  it('settles a running turn its agent no longer reports: lost, with a reason, and the slot free', async () => {
    const task = await running();
    const next = await h.create({ prompt: 'next' });
    expect(await beat([turn(task.id)])).toEqual([]);
    // The agent restarted without its state: it heartbeats, but without the turn.
    t += 1_000;
    await beat([], t);
    t += 1_000;
    await beat([], t - 1_000); // the same sync, checked again
    expect(h.task(task.id).status).toBe('running');
    t += h.resources.config.forgottenTurnMs;
    await beat([], t);
    expect(h.task(task.id)).toMatchObject({ status: 'lost', errorCode: 'agent_lost' });
    expect(h.task(task.id).errorMessage).toContain('agent no longer reports this turn');
    expect(listTaskEvents(h.db.db, task.id).at(-1)).toMatchObject({
      toStatus: 'lost',
      reason: 'agent no longer reports this turn',
    });
    expect((await h.sys.leasing.lease(h.agent.id, 1)).map((l) => l.taskId)).toEqual([next.id]);
  });

  it('keeps a turn that is missing from one sync only, or reported again', async () => {
    const task = await running();
    await beat([], (t += 1_000));
    // Reported again: the count starts over.
    await beat([turn(task.id)], (t += h.resources.config.forgottenTurnMs));
    await beat([], (t += 1_000));
    t += h.resources.config.forgottenTurnMs;
    // Missing from a single sync however long it lasts is not yet evidence.
    await beat([], t - h.resources.config.forgottenTurnMs);
    expect(h.task(task.id).status).toBe('running');
  });

  it('re-locks a running lease whose lock Redis lost, so its job stays held and then ends', async () => {
    const task = await running();
    await forget('lock', task.id);
    await beat([turn(task.id)]);
    const raw = new Redis(redis.url);
    const lockKey = `${h.resources.config.prefix}:${task.queueName}:${task.jobId}:lock`;
    expect(await raw.get(lockKey)).toBe(task.leaseToken);
    await raw.quit();
    await h.sys.turns.turnFinished(h.agent.id, task.id, finished(1));
    expect(await h.resources.queues.exists(task.queueName!, task.jobId!)).toBe(false);
  });

  it('keeps a running turn whose job Redis lost; the turn ends normally and the next one leases', async () => {
    const task = await running();
    await forget('job', task.id);
    const next = await h.create({ prompt: 'next' });
    expect(await beat([turn(task.id)])).toEqual([]);
    expect(h.task(task.id)).toMatchObject({ status: 'running', jobId: null });
    expect(await h.sys.leasing.lease(h.agent.id, 1)).toEqual([]);
    await h.sys.turns.turnFinished(h.agent.id, task.id, finished(1));
    expect(h.task(task.id).status).toBe('completed');
    expect((await h.sys.leasing.lease(h.agent.id, 1)).map((l) => l.taskId)).toEqual([next.id]);
  });
});
