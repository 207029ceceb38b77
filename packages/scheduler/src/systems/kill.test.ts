import { describe, expect, it } from 'vitest';
import { listAudit, listTurns, type AuditEntry } from '@switchyard/db';
import { finished, useHarness } from '../test-support.ts';

const ctx = useHarness();

const audit = (targetId: string): AuditEntry => ({
  actor: 'ann',
  teamId: ctx.h.team.id,
  action: 'task.killed',
  targetType: 'task',
  targetId,
  details: {},
});

describe('kill', () => {
  it('cancels a queued task so it never runs, with the audit row', async () => {
    const task = await ctx.h.create();
    ctx.t += 1_000;
    const row = await ctx.h.sys.kill.kill(task.id, 'ann', undefined, audit(task.id));
    expect(row).toMatchObject({ status: 'cancelled', finishedAt: ctx.t, errorCode: 'cancelled' });
    expect(listTurns(ctx.h.db.db, task.id)[0]?.status).toBe('cancelled');
    expect(await ctx.h.resources.queues.exists(task.queueName!, task.jobId!)).toBe(false);
    expect(await ctx.h.sys.leasing.lease(ctx.h.agent.id, 1)).toEqual([]);
    expect(listAudit(ctx.h.db.db, { limit: 5 })).toEqual([
      expect.objectContaining({ targetId: task.id, ts: ctx.t }),
    ]);
  });

  it('asks the agent to stop a running task, with the audit row', async () => {
    const task = await ctx.h.create();
    await ctx.h.sys.leasing.lease(ctx.h.agent.id, 1);
    ctx.h.sys.turns.turnStarted(ctx.h.agent.id, task.id, 1);
    const row = await ctx.h.sys.kill.kill(task.id, 'ann', 'enough', audit(task.id));
    expect(row).toMatchObject({
      status: 'running',
      killRequestedAt: ctx.t,
      killReason: 'enough (ann)',
    });
    expect(listAudit(ctx.h.db.db, { limit: 5 })).toHaveLength(1);
  });

  it('leaves a finished task as it is but records the request', async () => {
    const task = await ctx.h.create();
    await ctx.h.sys.leasing.lease(ctx.h.agent.id, 1);
    ctx.h.sys.turns.turnStarted(ctx.h.agent.id, task.id, 1);
    await ctx.h.sys.turns.turnFinished(ctx.h.agent.id, task.id, finished(1));
    const row = await ctx.h.sys.kill.kill(task.id, 'ann', undefined, audit(task.id));
    expect(row.status).toBe('completed');
    expect(listAudit(ctx.h.db.db, { limit: 5 })).toHaveLength(1);
  });
});
