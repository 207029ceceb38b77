import { describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { RunningTurn } from '@switchyard/core';
import { listTaskEvents, updateWorkspace } from '@switchyard/db';
import { finished, useHarness } from '../test-support.ts';
import { LEASE_LOST_MS } from './heartbeat.ts';

const ctx = useHarness();

const turn = (taskId: string, alive = true): RunningTurn => ({ taskId, turn: 1, ackSeq: 0, alive });
const beat = (running: RunningTurn[] = [], since = ctx.t) =>
  ctx.h.sys.heartbeat.heartbeat(ctx.h.agent.id, running, since);

/** A task leased to `ctx.h.agent` and started there. */
async function running() {
  const task = await ctx.h.create();
  await ctx.h.sys.leasing.lease(ctx.h.agent.id, 1);
  ctx.h.sys.turns.turnStarted(ctx.h.agent.id, task.id, 1);
  return ctx.h.task(task.id);
}

/** What Redis loses when it restarts without (all of) its data. */
async function forget(what: 'lock' | 'job', taskId: string): Promise<void> {
  const { jobId, queueName } = ctx.h.task(taskId);
  const raw = new Redis(ctx.redisUrl);
  await raw.del(`${ctx.h.resources.config.prefix}:${queueName}:${jobId}:lock`);
  await raw.quit();
  if (what === 'job') await ctx.h.resources.queues.remove(queueName!, jobId!);
}

describe('heartbeat', () => {
  it('tells the agent to kill a running turn someone asked to kill', async () => {
    const task = await ctx.h.create();
    await ctx.h.sys.leasing.lease(ctx.h.agent.id, 1);
    ctx.h.sys.turns.turnStarted(ctx.h.agent.id, task.id, 1);
    expect(await beat([turn(task.id)])).toEqual([]);
    await ctx.h.sys.kill.kill(task.id, 'ann');
    expect(await beat([turn(task.id)])).toEqual([
      { type: 'kill', taskId: task.id, reason: 'killed by request (ann)' },
    ]);
  });

  it('tells the agent to abandon turns the API no longer expects from it', async () => {
    const task = await ctx.h.create();
    await ctx.h.sys.leasing.lease(ctx.h.agent.id, 1);
    ctx.h.sys.turns.turnStarted(ctx.h.agent.id, task.id, 1);
    await ctx.h.sys.turns.turnFinished(ctx.h.agent.id, task.id, finished(1));
    expect(await beat([turn(task.id), turn('tsk_unknown0000000')])).toEqual([
      { type: 'abandon', taskId: task.id, reason: 'task is completed' },
      { type: 'abandon', taskId: 'tsk_unknown0000000', reason: 'unknown task' },
    ]);
    // A turn that ended and whose report is on its way is still expected.
    expect(await beat([turn(task.id, false)])).toEqual([]);
  });

  it('returns a lease the agent never received, once it is older than the last sync', async () => {
    updateWorkspace(ctx.h.db.db, ctx.h.ws.id, { maxConcurrency: 2 });
    const lost = await ctx.h.create({ prompt: 'lost in transit' });
    const held = await ctx.h.create({ prompt: 'held' });
    expect(await ctx.h.sys.leasing.lease(ctx.h.agent.id, 2)).toHaveLength(2);
    const jobId = ctx.h.task(lost.id).jobId;
    // A sync that began right after the lease may simply not have seen it yet.
    ctx.t += 1_000;
    await beat([turn(held.id)]);
    expect(ctx.h.task(lost.id).status).toBe('dispatched');
    ctx.t += LEASE_LOST_MS;
    await beat([turn(held.id)]);
    expect(ctx.h.task(lost.id)).toMatchObject({
      status: 'queued',
      agentId: null,
      leaseToken: null,
      jobId,
    });
    expect(ctx.h.task(held.id).status).toBe('dispatched');
    // The same job is back in its queue, not a second one.
    const again = await ctx.h.sys.leasing.lease(ctx.h.agent.id, 2);
    expect(again.map((l) => l.taskId)).toEqual([lost.id]);
    expect(ctx.h.task(lost.id).jobId).toBe(jobId);
  });

  it('settles a running turn its agent no longer reports: lost, with a reason, and the slot free', async () => {
    const task = await running();
    const next = await ctx.h.create({ prompt: 'next' });
    expect(await beat([turn(task.id)])).toEqual([]);
    // The agent restarted without its state: it heartbeats, but without the turn.
    ctx.t += 1_000;
    await beat([], ctx.t);
    ctx.t += 1_000;
    await beat([], ctx.t - 1_000); // the same sync, checked again
    expect(ctx.h.task(task.id).status).toBe('running');
    ctx.t += ctx.h.resources.config.forgottenTurnMs;
    await beat([], ctx.t);
    expect(ctx.h.task(task.id)).toMatchObject({ status: 'lost', errorCode: 'agent_lost' });
    expect(ctx.h.task(task.id).errorMessage).toContain('agent no longer reports this turn');
    expect(listTaskEvents(ctx.h.db.db, task.id).at(-1)).toMatchObject({
      toStatus: 'lost',
      reason: 'agent no longer reports this turn',
    });
    expect((await ctx.h.sys.leasing.lease(ctx.h.agent.id, 1)).map((l) => l.taskId)).toEqual([next.id]);
  });

  it('settles a forgotten turn while other agents of the fleet sync in between', async () => {
    const task = await running();
    const other = ctx.h.addAgent(ctx.h.ws.id, 'pod-2');
    const otherBeat = () => ctx.h.sys.heartbeat.heartbeat(other.id, [], ctx.t);
    await beat([], (ctx.t += 1_000));
    await otherBeat();
    await beat([], (ctx.t += 1_000));
    await otherBeat();
    ctx.t += ctx.h.resources.config.forgottenTurnMs;
    await otherBeat();
    await beat([], ctx.t);
    expect(ctx.h.task(task.id)).toMatchObject({ status: 'lost', errorCode: 'agent_lost' });
  });

  it('keeps a turn that is missing from one sync only, or reported again', async () => {
    const task = await running();
    await beat([], (ctx.t += 1_000));
    // Reported again: the count starts over.
    await beat([turn(task.id)], (ctx.t += ctx.h.resources.config.forgottenTurnMs));
    await beat([], (ctx.t += 1_000));
    ctx.t += ctx.h.resources.config.forgottenTurnMs;
    // Missing from a single sync however long it lasts is not yet evidence.
    await beat([], ctx.t - ctx.h.resources.config.forgottenTurnMs);
    expect(ctx.h.task(task.id).status).toBe('running');
  });

  it('re-locks a running lease whose lock Redis lost, so its job stays held and then ends', async () => {
    const task = await running();
    await forget('lock', task.id);
    await beat([turn(task.id)]);
    const raw = new Redis(ctx.redisUrl);
    const lockKey = `${ctx.h.resources.config.prefix}:${task.queueName}:${task.jobId}:lock`;
    expect(await raw.get(lockKey)).toBe(task.leaseToken);
    await raw.quit();
    await ctx.h.sys.turns.turnFinished(ctx.h.agent.id, task.id, finished(1));
    expect(await ctx.h.resources.queues.exists(task.queueName!, task.jobId!)).toBe(false);
  });

  it('keeps a running turn whose job Redis lost; the turn ends normally and the next one leases', async () => {
    const task = await running();
    await forget('job', task.id);
    const next = await ctx.h.create({ prompt: 'next' });
    expect(await beat([turn(task.id)])).toEqual([]);
    expect(ctx.h.task(task.id)).toMatchObject({ status: 'running', jobId: null });
    expect(await ctx.h.sys.leasing.lease(ctx.h.agent.id, 1)).toEqual([]);
    await ctx.h.sys.turns.turnFinished(ctx.h.agent.id, task.id, finished(1));
    expect(ctx.h.task(task.id).status).toBe('completed');
    expect((await ctx.h.sys.leasing.lease(ctx.h.agent.id, 1)).map((l) => l.taskId)).toEqual([next.id]);
  });
});
