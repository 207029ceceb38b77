import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningTurn } from '@switchyard/core';
import { updateWorkspace } from '@switchyard/db';
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
const beat = (running: RunningTurn[] = []) => h.sys.heartbeat.heartbeat(h.agent.id, running);

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
});
