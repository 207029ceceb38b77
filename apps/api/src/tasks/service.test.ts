import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError, newId, PayloadTooLargeError, QuotaExceededError, type TaskCreate } from '@switchyard/core';
import { listAudit, readOutput, setQuota } from '@switchyard/db';
import { startHarness, startRedis, type Harness } from '../test-support.ts';
import { TaskService } from './service.ts';

let redis: Awaited<ReturnType<typeof startRedis>>;
let h: Harness;
let tasks: TaskService;

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});
beforeEach(async () => {
  h = await startHarness(redis.url);
  tasks = new TaskService(h.deps);
});
afterEach(async () => {
  await h?.close();
});

const body = (extra: Partial<TaskCreate> = {}): TaskCreate => ({ workspace: 'w', prompt: 'hello', workdir: '/tmp', ...extra });
const count = (table: string): number => (h.db.sqlite.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
const auditOf = (taskId: string) => listAudit(h.db.db, { targetId: taskId, limit: 100 }).reverse();

describe('TaskService.create', () => {
  it('stores the task, queued, with its options, and the audit row naming it', async () => {
    const { task, replayed } = await tasks.create(h.admin, body({ priority: 5, model: 'sonnet', maxTurns: 3 }));
    expect(replayed).toBe(false);
    expect(task).toMatchObject({ status: 'queued', prompt: 'hello', workdir: '/tmp', priority: 5, workspaceId: h.workspace.id, teamId: h.team.id, createdBy: h.admin.tokenId });
    // The workspace's default permission mode is recorded when the task names none.
    expect(task.options).toEqual({ model: 'sonnet', maxTurns: 3, permissionMode: 'default' });
    expect(auditOf(task.id)).toEqual([
      expect.objectContaining({ action: 'task.created', actor: 'root', targetType: 'task', targetId: task.id, teamId: h.team.id }),
    ]);
  });

  it('writes neither task nor audit row when a quota refuses it', async () => {
    setQuota(h.db.db, h.team.id, { maxRunning: null, maxQueued: 0, tasksPerDay: null, monthlyBudgetUsd: null });
    const before = { tasks: count('tasks'), audit: count('audit_log') };
    const err = await tasks.create(h.admin, body()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QuotaExceededError);
    expect(err).toMatchObject({ status: 429 });
    expect({ tasks: count('tasks'), audit: count('audit_log') }).toEqual(before);
  });

  it('returns the same task for the same Idempotency-Key and body, and 409 for another body', async () => {
    const first = await tasks.create(h.admin, body(), { idempotencyKey: 'k1' });
    const again = await tasks.create(h.admin, body(), { idempotencyKey: 'k1' });
    expect(again).toEqual({ task: expect.objectContaining({ id: first.task.id }), replayed: true });
    const other = await tasks.create(h.admin, body({ prompt: 'something else' }), { idempotencyKey: 'k1' }).catch((e: unknown) => e);
    expect(other).toBeInstanceOf(ConflictError);
    expect(other).toMatchObject({ status: 409, details: { taskId: first.task.id } });
    expect(count('tasks')).toBe(1);
    expect(auditOf(first.task.id)).toHaveLength(1);
  });

  it('answers the loser of a race on one key with the winner’s task', async () => {
    const real = h.scheduler;
    let winner = '';
    const racing = new TaskService({
      ...h.deps,
      scheduler: {
        ...real,
        // Another request with the same key commits first, between our look-up and our insert.
        createTask: async (values, actor, audit) => {
          winner = (await real.createTask({ ...values, id: newId('tsk') }, actor, audit)).id;
          return real.createTask(values, actor, audit);
        },
      },
    });
    const { task, replayed } = await racing.create(h.admin, body(), { idempotencyKey: 'race' });
    expect({ id: task.id, replayed }).toEqual({ id: winner, replayed: true });
    expect(count('tasks')).toBe(1);
  });

  it('refuses a prompt over the byte limit with 413, counting bytes not characters', async () => {
    const prompt = 'é'.repeat(513); // 1026 bytes, 513 characters; the limit is 1024
    for (const api of ['v1', 'seed'] as const) {
      const err = await tasks.create(h.admin, body({ prompt }), { api }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PayloadTooLargeError);
      expect(err).toMatchObject({ status: 413, message: 'prompt is 1026 bytes, the limit is 1024' });
    }
    const { task } = await tasks.create(h.admin, body());
    await expect(tasks.followUp(h.admin, task.id, prompt)).rejects.toMatchObject({ status: 413 });
    expect(count('tasks')).toBe(1);
    expect(count('turns')).toBe(1);
  });
});

describe('the /v1 and /api/claude routes go through the service', () => {
  const post = (path: string, json: unknown) =>
    h.app.request(path, { method: 'POST', headers: { authorization: `Bearer ${h.adminSecret}`, 'content-type': 'application/json' }, body: JSON.stringify(json) });

  it('answers an oversized prompt with 413 on both, in each API’s error shape', async () => {
    const prompt = 'x'.repeat(1025);
    const v1 = await post('/v1/tasks', { workspace: 'w', prompt, workdir: '/tmp' });
    expect(v1.status).toBe(413);
    expect(await v1.json()).toEqual({ error: { code: 'payload_too_large', message: 'prompt is 1025 bytes, the limit is 1024', details: { field: 'prompt', limit: 1024 } } });
    const seed = await post('/api/claude/tasks', { prompt, workdir: '/tmp' });
    expect(seed.status).toBe(413);
    expect(await seed.json()).toEqual({ error: 'prompt is 1025 bytes, the limit is 1024' });
    expect(count('tasks')).toBe(0);
  });

  it('notes the compatibility API in its audit rows', async () => {
    const res = await post('/api/claude/tasks', { prompt: 'seeded', workdir: '/tmp' });
    const { task_id } = (await res.json()) as { task_id: string };
    expect(auditOf(task_id)[0]).toMatchObject({ action: 'task.created', details: { api: 'seed' } });
  });
});

describe('TaskService.followUp and kill', () => {
  it('write their audit rows beside the change', async () => {
    const { task } = await tasks.create(h.admin, body());
    const followed = await tasks.followUp(h.admin, task.id, 'and then?');
    expect(followed.id).toBe(task.id);
    expect(count('turns')).toBe(2);
    const killed = await tasks.kill(h.admin, task.id);
    expect(killed.status).toBe('cancelled');
    expect(auditOf(task.id).map((a) => [a.action, a.targetId, a.actor])).toEqual([
      ['task.created', task.id, 'root'],
      ['task.messaged', task.id, 'root'],
      ['task.killed', task.id, 'root'],
    ]);
    expect(auditOf(task.id)[2]!.details).toEqual({ from: 'queued' });
  });

  it('answers another team’s task as not found, and writes nothing', async () => {
    const { task } = await tasks.create(h.admin, body());
    const stranger = { ...h.admin, role: 'member' as const, teamId: 'team_other' };
    await expect(tasks.kill(stranger, task.id)).rejects.toMatchObject({ status: 404 });
    await expect(tasks.followUp(stranger, task.id, 'hi')).rejects.toMatchObject({ status: 404 });
    expect(auditOf(task.id)).toHaveLength(1);
  });
});

describe('TaskService.ingestOutput', () => {
  it('stores a batch sent twice once and in order, and tells live readers once', async () => {
    const { task } = await tasks.create(h.admin, body());
    const heard: number[] = [];
    h.scheduler.hub.on('output', (e) => {
      if (e.taskId === task.id) heard.push(e.lastSeq);
    });
    const batch = { turn: 1, lines: [3, 1, 2].map((seq) => ({ seq, ts: 1_000 + seq, line: `line ${seq}` })) };
    expect(await tasks.ingestOutput(h.workspace.id, task.id, batch)).toBe(3);
    expect(await tasks.ingestOutput(h.workspace.id, task.id, batch)).toBe(3);
    const stored = readOutput(h.db.db, task.id, 0, 100, 100);
    expect(stored.map((l) => [l.seq, l.line])).toEqual([
      [1, 'line 1'],
      [2, 'line 2'],
      [3, 'line 3'],
    ]);
    expect(count('output_lines')).toBe(3);
    expect(heard).toEqual([3]);
  });

  it('stores batches that arrive together in one commit, each acked in order, and one refused alone', async () => {
    const [a, b] = [(await tasks.create(h.admin, body())).task, (await tasks.create(h.admin, body())).task];
    const lines = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ seq: from + i, ts: 1, line: `l${from + i}` }));
    const acks = await Promise.allSettled([
      tasks.ingestOutput(h.workspace.id, a.id, { turn: 1, lines: lines(1, 3) }),
      tasks.ingestOutput(h.workspace.id, b.id, { turn: 1, lines: lines(1, 2) }),
      tasks.ingestOutput(h.workspace.id, a.id, { turn: 1, lines: lines(4, 3) }),
      tasks.ingestOutput(h.workspace.id, a.id, { turn: 1, lines: [{ seq: 7, ts: 1, line: 'x'.repeat(2_000_000) }] }),
    ]);
    expect(acks.map((r) => (r.status === 'fulfilled' ? r.value : 'refused'))).toEqual([3, 2, 6, 'refused']);
    expect(readOutput(h.db.db, a.id, 0, 100, 100).map((l) => l.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(count('output_lines')).toBe(8);
  });

  it('refuses another workspace’s task', async () => {
    const { task } = await tasks.create(h.admin, body());
    await expect(tasks.ingestOutput('ws_other', task.id, { turn: 1, lines: [{ seq: 1, ts: 1, line: 'x' }] })).rejects.toThrow(/not found/);
    expect(count('output_lines')).toBe(0);
  });
});
