import { describe, expect, it } from 'vitest';
import { QuotaExceededError, UnavailableError, type Quota } from '@switchyard/core';
import { findTask, listAudit, listTasks, listTurns, setQuota, updateTurn } from '@switchyard/db';
import { useHarness } from '../test-support.ts';

const ctx = useHarness();

const NO_QUOTA = { maxRunning: null, maxQueued: null, tasksPerDay: null, monthlyBudgetUsd: null };
const quota = (q: Partial<Quota>) => setQuota(ctx.h.db.db, ctx.h.team.id, { ...NO_QUOTA, ...q });

async function refusal(): Promise<QuotaExceededError> {
  const err = await ctx.h.create().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(QuotaExceededError);
  return err as QuotaExceededError;
}

describe('admission', () => {
  it('stores a new task as queued, puts it in its queue and stamps it with the clock', async () => {
    const task = await ctx.h.create({ prompt: 'hello' });
    expect(task).toMatchObject({ status: 'queued', currentTurn: 1, createdAt: ctx.t, queuedAt: ctx.t });
    expect(task.queueName).toBe(`{ws-${ctx.h.ws.id}}`);
    expect(await ctx.h.resources.queues.exists(task.queueName!, task.jobId!)).toBe(true);
    expect(listTurns(ctx.h.db.db, task.id)).toEqual([
      expect.objectContaining({ n: 1, prompt: 'hello' }),
    ]);
  });

  it('refuses a task over maxQueued, with the limit and no reset time', async () => {
    quota({ maxQueued: 2 });
    await ctx.h.create();
    await ctx.h.create();
    const err = await refusal();
    expect(err.details).toEqual({ limit: 'maxQueued', max: 2, current: 2, resetsAt: null });
  });

  it('refuses a task over tasksPerDay until the next UTC midnight', async () => {
    quota({ tasksPerDay: 2 });
    await ctx.h.create();
    await ctx.h.create();
    const err = await refusal();
    expect(err.details).toEqual({
      limit: 'tasksPerDay',
      max: 2,
      current: 2,
      resetsAt: '2030-01-16T00:00:00.000Z',
    });
    ctx.t = Date.UTC(2030, 0, 16, 0, 0, 1);
    expect((await ctx.h.create()).status).toBe('queued');
  });

  it('refuses a task once the month spend reaches the budget, until the next month', async () => {
    const spent = await ctx.h.create();
    updateTurn(ctx.h.db.db, spent.id, 1, { costUsd: 3, finishedAt: ctx.t });
    quota({ monthlyBudgetUsd: 2.5 });
    const err = await refusal();
    expect(err.details).toEqual({
      limit: 'monthlyBudgetUsd',
      max: 2.5,
      current: 3,
      resetsAt: '2030-02-01T00:00:00.000Z',
    });
    // Last month's spend does not count against this one.
    ctx.t = Date.UTC(2030, 1, 1, 0, 0, 1);
    expect((await ctx.h.create()).status).toBe('queued');
  });

  it('writes the audit row with the task, and none for a refused task', async () => {
    const audit = {
      actor: 'ann',
      teamId: ctx.h.team.id,
      action: 'task.created',
      targetType: 'task',
      details: {},
    };
    const task = await ctx.h.sys.admission.createTask(ctx.h.values(), 'ann', audit);
    expect(listAudit(ctx.h.db.db, { limit: 10 })).toEqual([
      expect.objectContaining({ ...audit, targetId: task.id, ts: ctx.t }),
    ]);
    quota({ maxQueued: 1 });
    const refused = ctx.h.sys.admission.createTask(ctx.h.values(), 'ann', audit);
    await expect(refused).rejects.toBeInstanceOf(QuotaExceededError);
    expect(listAudit(ctx.h.db.db, { limit: 10 })).toHaveLength(1);
  });

  it('stores nothing of a create whose enqueue failed, and says Redis is unavailable', async () => {
    const audit = { actor: 'ann', teamId: ctx.h.team.id, action: 'task.created', targetType: 'task', details: {} };
    const seen: string[] = [];
    ctx.h.resources.hub.on('task', (row) => seen.push(row.id));
    const add = ctx.h.resources.queues.add.bind(ctx.h.resources.queues);
    ctx.h.resources.queues.add = () => Promise.reject(new Error("Stream isn't writeable and enableOfflineQueue options is false"));
    const values = ctx.h.values();
    const err = await ctx.h.sys.admission.createTask(values, 'ann', audit).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect(findTask(ctx.h.db.db, values.id)).toBeUndefined();
    expect(listTurns(ctx.h.db.db, values.id)).toEqual([]);
    expect(listAudit(ctx.h.db.db, { limit: 10 })).toEqual([]);
    expect(listTasks(ctx.h.db.db, { limit: 10 })).toEqual([]);
    // Nobody was told of a task that never was.
    expect(seen).toEqual([]);
    ctx.h.resources.queues.add = add;
    // The same create, retried, now works: one task.
    await ctx.h.sys.admission.createTask(values, 'ann', audit);
    expect(listTasks(ctx.h.db.db, { limit: 10 })).toHaveLength(1);
  });
});
