import { describe, expect, it } from 'vitest';
import { QuotaExceededError, UnavailableError, type Quota } from '@switchyard/core';
import { findTask, listAudit, listTasks, listTurns, setQuota } from '@switchyard/db';
import { finished, useHarness } from '../test-support.ts';

const ctx = useHarness();

const NO_QUOTA = { maxRunning: null, maxQueued: null, tasksPerDay: null, monthlyBudgetUsd: null };
const quota = (q: Partial<Quota>) => setQuota(ctx.h.db.db, ctx.h.team.id, { ...NO_QUOTA, ...q });

/** Runs a task to the end through the turn reports, costing `costUsd`. */
async function spend(costUsd: number): Promise<void> {
  const task = await ctx.h.create();
  await ctx.h.sys.leasing.lease(ctx.h.agent.id, 1);
  ctx.h.sys.turns.turnStarted(ctx.h.agent.id, task.id, 1);
  await ctx.h.sys.turns.turnFinished(ctx.h.agent.id, task.id, finished(1, { summary: { costUsd } }));
}

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
    await spend(3);
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

/** The SQL of every statement run on the harness's database while `fn` runs. */
async function statementsRun(fn: () => Promise<unknown>): Promise<string[]> {
  const proto = Object.getPrototypeOf(ctx.h.db.sqlite.prepare('select 1')) as Record<string, unknown>;
  const saved = { get: proto.get, all: proto.all, run: proto.run, iterate: proto.iterate };
  const seen: string[] = [];
  for (const [name, orig] of Object.entries(saved)) {
    proto[name] = function (this: { source: string }, ...args: unknown[]) {
      seen.push(this.source);
      return (orig as (...a: unknown[]) => unknown).apply(this, args);
    };
  }
  try {
    await fn();
  } finally {
    Object.assign(proto, saved);
  }
  return seen;
}

/** Tasks finished last month, with their spend, written straight into SQLite. */
function history(n: number): void {
  const { sqlite } = ctx.h.db;
  const task = sqlite.prepare(`insert into tasks (id, team_id, workspace_id, status, prompt, workdir, options,
    session_id, cost_usd, created_at, updated_at, queued_at, finished_at)
    values (?, ?, ?, 'completed', 'old', '/tmp', '{}', 's', 1, ?, ?, ?, ?)`);
  const turn = sqlite.prepare(`insert into turns (task_id, n, prompt, status, cost_usd, created_at, finished_at)
    values (?, 1, 'old', 'completed', 1, ?, ?)`);
  ctx.h.db.tx(() => {
    for (let i = 0; i < n; i++) {
      const t = ctx.t - 40 * 86_400_000 - i * 60_000;
      const id = `tsk_hist${String(i).padStart(10, '0')}`;
      task.run(id, ctx.h.team.id, ctx.h.ws.id, t, t, t, t);
      turn.run(id, t, t);
    }
  });
}

describe('a refused create in a grouped commit', () => {
  const taskInserts = (sql: string[]) => sql.filter((s) => /^insert into "?tasks"?\s/i.test(s.trim()));

  it('leaves the other creates of its batch as they ran: none is run twice', async () => {
    quota({ maxQueued: 3 });
    const sql = await statementsRun(async () => {
      const all = await Promise.allSettled([1, 2, 3, 4].map(() => ctx.h.create()));
      expect(all.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected']);
    });
    // Before, the refusal undid the batch and ran every create again in a savepoint of its own: 6.
    expect(taskInserts(sql)).toHaveLength(3);
    expect(listTasks(ctx.h.db.db, { limit: 10 })).toHaveLength(3);
  });

  it('answers a duplicate Idempotency-Key in the same batch with the unique violation, running the first once', async () => {
    const key = { idempotencyKey: 'k-1', createdBy: 'tok_a' };
    const sql = await statementsRun(async () => {
      const [first, second] = await Promise.allSettled([ctx.h.create(key), ctx.h.create(key)]);
      expect(first.status).toBe('fulfilled');
      expect((second as PromiseRejectedResult).reason).toMatchObject({ code: 'SQLITE_CONSTRAINT_UNIQUE' });
    });
    expect(taskInserts(sql)).toHaveLength(2);
    expect(listTasks(ctx.h.db.db, { limit: 10 })).toHaveLength(1);
  });
});

describe('admission at any age', () => {
  const usage = /count\(|team_daily|sum\(/i;

  it('runs no usage query for a team with no limits', async () => {
    history(50);
    const sql = await statementsRun(() => ctx.h.create());
    expect(sql.filter((s) => usage.test(s))).toEqual([]);
  });

  it('checks limits by index and rollup only: no statement scans the history', async () => {
    history(2_000);
    quota({ maxQueued: 100, tasksPerDay: 100, monthlyBudgetUsd: 1_000 });
    const sql = await statementsRun(() => ctx.h.create());
    const checks = sql.filter((s) => usage.test(s));
    expect(checks).toHaveLength(3);
    for (const s of checks) {
      const plan = ctx.h.db.sqlite.prepare(`explain query plan ${s}`).all(...s.split('?').slice(1).map(() => 'x'));
      const steps = (plan as { detail: string }[]).map((p) => p.detail);
      expect(steps.filter((d) => d.startsWith('SCAN'))).toEqual([]);
    }
  });

  it('counts a day’s tasks by the clock, forgets a withdrawn create, and resets at UTC midnight', async () => {
    history(500);
    quota({ tasksPerDay: 2 });
    await ctx.h.create();
    // Redis refuses the second create: withdrawn, it does not count.
    const add = ctx.h.resources.queues.add.bind(ctx.h.resources.queues);
    ctx.h.resources.queues.add = () => Promise.reject(new Error('Redis is away'));
    await expect(ctx.h.create()).rejects.toBeInstanceOf(UnavailableError);
    ctx.h.resources.queues.add = add;
    await ctx.h.create();
    expect((await refusal()).details).toMatchObject({ limit: 'tasksPerDay', current: 2 });
    ctx.t = Date.UTC(2030, 0, 15, 23, 59, 59, 999);
    expect((await refusal()).details).toMatchObject({ current: 2 });
    ctx.t = Date.UTC(2030, 0, 16);
    expect((await ctx.h.create()).status).toBe('queued');
  });

  it('counts each turn’s cost once, in the month it was recorded', async () => {
    history(500);
    await spend(1.5);
    await spend(1);
    quota({ monthlyBudgetUsd: 2.5 });
    expect((await refusal()).details).toMatchObject({ limit: 'monthlyBudgetUsd', current: 2.5 });
    quota({ monthlyBudgetUsd: 2.6 });
    expect((await ctx.h.create()).status).toBe('queued');
  });
});
