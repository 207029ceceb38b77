import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { QuotaExceededError, UnavailableError, type Quota } from '@switchyard/core';
import { findTask, listAudit, listTasks, listTurns, setQuota, updateTurn } from '@switchyard/db';
import { createHarness, startRedis, type Harness, type RedisServer } from '../test-support.ts';

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

const NO_QUOTA = { maxRunning: null, maxQueued: null, tasksPerDay: null, monthlyBudgetUsd: null };
const quota = (q: Partial<Quota>) => setQuota(h.db.db, h.team.id, { ...NO_QUOTA, ...q });

async function refusal(): Promise<QuotaExceededError> {
  const err = await h.create().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(QuotaExceededError);
  return err as QuotaExceededError;
}

describe('admission', () => {
  it('stores a new task as queued, puts it in its queue and stamps it with the clock', async () => {
    const task = await h.create({ prompt: 'hello' });
    expect(task).toMatchObject({ status: 'queued', currentTurn: 1, createdAt: t, queuedAt: t });
    expect(task.queueName).toBe(`{ws-${h.ws.id}}`);
    expect(await h.resources.queues.exists(task.queueName!, task.jobId!)).toBe(true);
    expect(listTurns(h.db.db, task.id)).toEqual([
      expect.objectContaining({ n: 1, prompt: 'hello' }),
    ]);
  });

  it('refuses a task over maxQueued, with the limit and no reset time', async () => {
    quota({ maxQueued: 2 });
    await h.create();
    await h.create();
    const err = await refusal();
    expect(err.details).toEqual({ limit: 'maxQueued', max: 2, current: 2, resetsAt: null });
  });

  it('refuses a task over tasksPerDay until the next UTC midnight', async () => {
    quota({ tasksPerDay: 2 });
    await h.create();
    await h.create();
    const err = await refusal();
    expect(err.details).toEqual({
      limit: 'tasksPerDay',
      max: 2,
      current: 2,
      resetsAt: '2030-01-16T00:00:00.000Z',
    });
    t = Date.UTC(2030, 0, 16, 0, 0, 1);
    expect((await h.create()).status).toBe('queued');
  });

  it('refuses a task once the month spend reaches the budget, until the next month', async () => {
    const spent = await h.create();
    updateTurn(h.db.db, spent.id, 1, { costUsd: 3, finishedAt: t });
    quota({ monthlyBudgetUsd: 2.5 });
    const err = await refusal();
    expect(err.details).toEqual({
      limit: 'monthlyBudgetUsd',
      max: 2.5,
      current: 3,
      resetsAt: '2030-02-01T00:00:00.000Z',
    });
    // Last month's spend does not count against this one.
    t = Date.UTC(2030, 1, 1, 0, 0, 1);
    expect((await h.create()).status).toBe('queued');
  });

  it('writes the audit row with the task, and none for a refused task', async () => {
    const audit = {
      actor: 'ann',
      teamId: h.team.id,
      action: 'task.created',
      targetType: 'task',
      details: {},
    };
    const task = await h.sys.admission.createTask(h.values(), 'ann', audit);
    expect(listAudit(h.db.db, { limit: 10 })).toEqual([
      expect.objectContaining({ ...audit, targetId: task.id, ts: t }),
    ]);
    quota({ maxQueued: 1 });
    const refused = h.sys.admission.createTask(h.values(), 'ann', audit);
    await expect(refused).rejects.toBeInstanceOf(QuotaExceededError);
    expect(listAudit(h.db.db, { limit: 10 })).toHaveLength(1);
  });

  it('stores nothing of a create whose enqueue failed, and says Redis is unavailable', async () => {
    const audit = { actor: 'ann', teamId: h.team.id, action: 'task.created', targetType: 'task', details: {} };
    const seen: string[] = [];
    h.resources.hub.on('task', (row) => seen.push(row.id));
    const add = h.resources.queues.add.bind(h.resources.queues);
    h.resources.queues.add = () => Promise.reject(new Error("Stream isn't writeable and enableOfflineQueue options is false"));
    const values = h.values();
    const err = await h.sys.admission.createTask(values, 'ann', audit).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect(findTask(h.db.db, values.id)).toBeUndefined();
    expect(listTurns(h.db.db, values.id)).toEqual([]);
    expect(listAudit(h.db.db, { limit: 10 })).toEqual([]);
    expect(listTasks(h.db.db, { limit: 10 })).toEqual([]);
    // Nobody was told of a task that never was.
    expect(seen).toEqual([]);
    h.resources.queues.add = add;
    // The same create, retried, now works: one task.
    await h.sys.admission.createTask(values, 'ann', audit);
    expect(listTasks(h.db.db, { limit: 10 })).toHaveLength(1);
  });
});
