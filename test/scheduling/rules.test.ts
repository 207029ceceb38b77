import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { emptySummary, type Lease, type TaskView } from '@switchyard/core';
import { insertToken } from '@switchyard/db';
import { startApi, type TestApi } from '../support/api.ts';
import { waitFor } from '../support/agent.ts';
import { HandAgent } from '../support/hand-agent.ts';
import { startRedis, type RedisServer } from '../support/redis.ts';

let redis: RedisServer;
let api: TestApi;
// Moves the scheduler's clock ahead of the wall clock, to order timestamps without sleeping.
let skew = 0;

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});
beforeEach(async () => {
  skew = 0;
  // No safe age: the reconciler tests here repair at once what they broke on purpose.
  api = await startApi({ redisUrl: redis.url, scheduler: { graceSec: 2, sweepEveryMs: 200, reconcileSafeAgeMs: 0 }, now: () => Date.now() + skew });
});
afterEach(async () => {
  await api?.stop();
});

async function create(body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Response> {
  return api.call('/v1/tasks', { method: 'POST', json: { workspace: 'local', workdir: '/tmp', prompt: 'p', ...body }, headers });
}
async function createOk(body: Record<string, unknown> = {}): Promise<TaskView> {
  const res = await create(body);
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as TaskView;
}
const get = async (id: string) => (await (await api.call(`/v1/tasks/${id}`)).json()) as TaskView;
const patch = (ws: string, json: unknown) => api.call(`/v1/workspaces/${ws}`, { method: 'PATCH', json });
const summary = (extra = {}) => ({ ...emptySummary(), resultSubtype: 'success', isError: false, result: 'ok', costUsd: 0.5, numTurns: 1, durationMs: 5, ...extra });

/** An agent token for another workspace, made directly in the database. */
function agentFor(workspaceName: string): HandAgent {
  const ws = api.db.sqlite.prepare('select id, team_id from workspaces where name = ?').get(workspaceName) as { id: string; team_id: string };
  const { secret } = insertToken(api.db.db, { kind: 'agent', name: `a-${workspaceName}`, role: 'agent', teamId: ws.team_id, workspaceId: ws.id });
  return new HandAgent(api, secret);
}

async function finish(agent: HandAgent, lease: Lease, extra: Record<string, unknown> = {}): Promise<Response> {
  const token = agent.token;
  await api.call(`/agent/v1/tasks/${lease.taskId}/started`, { method: 'POST', token, json: { turn: lease.turn, tmuxSession: 'x' } });
  return api.call(`/agent/v1/tasks/${lease.taskId}/finished`, {
    method: 'POST',
    token,
    json: { turn: lease.turn, outcome: 'exited', exitCode: 0, signal: null, lastSeq: lease.startSeq - 1, summary: summary(), reason: null, stderrTail: null, ...extra },
  });
}

describe('per-workspace concurrency and priority', () => {
  it('never runs more than maxConcurrency at once, higher priority first, then first come; changes apply at once', async () => {
    const agent = await new HandAgent(api).register();
    const low1 = await createOk({ prompt: 'low1' });
    const low2 = await createOk({ prompt: 'low2' });
    const high = await createOk({ prompt: 'high', priority: 10 });
    let { leases } = await agent.sync(4);
    expect(leases.map((l) => l.taskId)).toEqual([high.id]);
    expect((await agent.sync(4)).leases).toEqual([]);
    expect((await get(low1.id)).status).toBe('queued');

    // Raising the limit at runtime lets the next one start, in arrival order.
    expect((await patch('local', { maxConcurrency: 2 })).status).toBe(200);
    ({ leases } = await agent.sync(4));
    expect(leases.map((l) => l.taskId)).toEqual([low1.id]);
    await finish(agent, leases[0]!);
    ({ leases } = await agent.sync(4));
    expect(leases.map((l) => l.taskId)).toEqual([low2.id]);
  });

  it('gives no work to an agent that reports readiness problems, and says why', async () => {
    const token = new HandAgent(api).token;
    const res = await api.call('/agent/v1/register', {
      method: 'POST',
      token,
      json: { hostname: 'pod-sick', agentVersion: '0', claudeVersion: null, tmuxVersion: 'tmux 3.3a', slots: 2, workdirRoots: ['/tmp'], problems: ['no claude on PATH'], simulated: false },
    });
    const { agentId } = (await res.json()) as { agentId: string };
    await createOk();
    const sync = await api.call('/agent/v1/sync', { method: 'POST', token, json: { agentId, freeSlots: 2, running: [], waitMs: 0 } });
    expect(((await sync.json()) as { leases: unknown[] }).leases).toEqual([]);
    const ws = (await (await api.call('/v1/workspaces/local')).json()) as { ready: boolean; problems: string[] };
    expect(ws).toMatchObject({ ready: false, problems: ['no claude on PATH'] });
  });

  it('starts nothing while paused, and resumes when unpaused', async () => {
    const agent = await new HandAgent(api).register();
    await patch('local', { paused: true });
    const t = await createOk();
    expect((await agent.sync(4)).leases).toEqual([]);
    const ws = (await (await api.call('/v1/workspaces/local')).json()) as { ready: boolean; problems: string[] };
    expect(ws).toMatchObject({ ready: false, problems: ['workspace is paused'] });
    await patch('local', { paused: false });
    expect((await agent.sync(4)).leases.map((l) => l.taskId)).toEqual([t.id]);
  });
});

describe('team quotas', () => {
  it('refuses creations over maxQueued and tasksPerDay with 429, the limit and Retry-After', async () => {
    await api.call('/v1/teams/default/quota', { method: 'PUT', json: { maxRunning: null, maxQueued: 2, tasksPerDay: null, monthlyBudgetUsd: null } });
    await createOk();
    await createOk();
    const res = await create({});
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await res.json()) as { error: { code: string; details: Record<string, unknown> } };
    expect(body.error).toMatchObject({ code: 'quota_exceeded', details: { limit: 'maxQueued', max: 2, current: 2, resetsAt: null } });

    await api.call('/v1/teams/default/quota', { method: 'PUT', json: { maxRunning: null, maxQueued: null, tasksPerDay: 2, monthlyBudgetUsd: null } });
    const day = await create({});
    expect(day.status).toBe(429);
    const d = (await day.json()) as { error: { details: { limit: string; resetsAt: string } } };
    expect(d.error.details.limit).toBe('tasksPerDay');
    expect(Date.parse(d.error.details.resetsAt)).toBeGreaterThan(Date.now());
    const usage = (await (await api.call('/v1/teams/default/usage')).json()) as Record<string, { current: number; limit: number | null }>;
    expect(usage.queued).toEqual({ current: 2, limit: null });
    expect(usage.tasksToday).toEqual({ current: 2, limit: 2 });
  });

  it('refuses creations once the month spend reaches the budget', async () => {
    const agent = await new HandAgent(api).register();
    const t = await createOk();
    const [lease] = (await agent.sync()).leases;
    await finish(agent, lease!, { summary: summary({ costUsd: 3 }) });
    expect((await get(t.id)).costUsd).toBe(3);
    await api.call('/v1/teams/default/quota', { method: 'PUT', json: { maxRunning: null, maxQueued: null, tasksPerDay: null, monthlyBudgetUsd: 2.5 } });
    const res = await create({});
    expect(res.status).toBe(429);
    expect(((await res.json()) as { error: { details: { limit: string; current: number } } }).error.details).toMatchObject({ limit: 'monthlyBudgetUsd', current: 3 });
  });

  it('holds work past maxRunning and gives a freed slot to the workspace that waited longest', async () => {
    await api.call('/v1/workspaces', { method: 'POST', json: { name: 'w2', team: 'default', workdirRoots: ['/tmp'], maxConcurrency: 4 } });
    await patch('local', { maxConcurrency: 4 });
    await api.call('/v1/teams/default/quota', { method: 'PUT', json: { maxRunning: 1, maxQueued: null, tasksPerDay: null, monthlyBudgetUsd: null } });
    const a1 = await new HandAgent(api).register();
    const a2 = await agentFor('w2').register();
    const first = await createOk({ prompt: 'local-1' });
    const [lease1] = (await a1.sync()).leases;
    expect(lease1!.taskId).toBe(first.id);
    const waitedLong = await createOk({ workspace: 'w2', prompt: 'w2 waits first' });
    skew += 1000; // the next task is queued a second later by the scheduler's clock
    const later = await createOk({ prompt: 'local-2' });
    expect((await a2.sync()).leases).toEqual([]);
    expect((await get(waitedLong.id)).status).toBe('queued');
    await finish(a1, lease1!);
    // local's agent syncs first, but w2 has waited longer: local gets nothing.
    expect((await a1.sync()).leases).toEqual([]);
    expect((await a2.sync()).leases.map((l) => l.taskId)).toEqual([waitedLong.id]);
    expect((await get(later.id)).status).toBe('queued');
  });
});

describe('team pools', () => {
  it('runs a team task on any ready pool workspace and pins its follow-up there', async () => {
    await api.call('/v1/teams', { method: 'POST', json: { name: 'pool' } });
    await api.call('/v1/workspaces', { method: 'POST', json: { name: 'p1', team: 'pool', workdirRoots: ['/tmp'], pool: true } });
    await api.call('/v1/workspaces', { method: 'POST', json: { name: 'p2', team: 'pool', workdirRoots: ['/tmp'], pool: true } });
    const a1 = await agentFor('p1').register();
    const a2 = await agentFor('p2').register();
    const t = await createOk({ workspace: undefined, team: 'pool' });
    expect(t.workspace).toBeNull();
    const [lease] = (await a2.sync()).leases;
    expect(lease!.taskId).toBe(t.id);
    expect((await get(t.id)).workspace).toBe('p2');
    await finish(a2, lease!);
    await api.call(`/v1/tasks/${t.id}/messages`, { method: 'POST', json: { prompt: 'more' } });
    expect((await a1.sync()).leases).toEqual([]);
    const [next] = (await a2.sync()).leases;
    expect(next).toMatchObject({ taskId: t.id, turn: 2, resume: true, prompt: 'more' });
  });

  it("gives a pool task that never started back to the whole pool when its first agent vanishes", async () => {
    await api.call('/v1/teams', { method: 'POST', json: { name: 'pool2' } });
    await api.call('/v1/workspaces', { method: 'POST', json: { name: 'q1', team: 'pool2', workdirRoots: ['/tmp'], pool: true } });
    await api.call('/v1/workspaces', { method: 'POST', json: { name: 'q2', team: 'pool2', workdirRoots: ['/tmp'], pool: true } });
    const gone = await agentFor('q1').register();
    const t = await createOk({ workspace: undefined, team: 'pool2' });
    const [lease] = (await gone.sync()).leases;
    expect(lease!.taskId).toBe(t.id);
    expect((await get(t.id)).workspace).toBe('q1');
    // q1's agent goes silent past the grace period (2 s here) before claude ever started.
    await waitFor(async () => ((await get(t.id)).status === 'queued' ? true : null), 15_000, 'the lease to come back');
    expect((await get(t.id)).workspace).toBeNull();
    const fresh = await agentFor('q2').register();
    const again = await waitFor(async () => (await fresh.sync(1, [], 500)).leases.find((l) => l.taskId === t.id), 15_000, 'q2 to take the task');
    expect(again.taskId).toBe(t.id);
    expect((await get(t.id)).workspace).toBe('q2');
  });
});

describe('rate-limit backoff', () => {
  it('waits out the reset time, holds the workspace, then resumes the same turn without counting a retry', async () => {
    const agent = await new HandAgent(api).register();
    const t = await createOk({ prompt: 'limited' });
    const other = await createOk({ prompt: 'waits behind the limit' });
    const [lease] = (await agent.sync(1)).leases;
    const resetsAt = Date.now() + 1500;
    await finish(agent, lease!, { outcome: 'rate_limited', exitCode: 1, summary: summary({ isError: true, rateLimit: { resetsAt, kind: 'five_hour', message: null } }) });
    const limited = await get(t.id);
    expect(limited.status).toBe('rate_limited');
    expect(Date.parse(limited.rateLimitedUntil!)).toBe(resetsAt);
    expect(limited.attempts).toBe(0);
    const ws = (await (await api.call('/v1/workspaces/local')).json()) as { ready: boolean; rateLimitedUntil: string };
    expect(ws.ready).toBe(false);
    expect((await agent.sync(4)).leases).toEqual([]);
    expect((await get(other.id)).status).toBe('queued');
    // After the reset the workspace takes work again (the other task may come first), and the
    // limited turn runs again, resuming the session.
    const again = await waitFor(async () => {
      const next = (await agent.sync(1, [], 1000)).leases[0];
      if (next && next.taskId !== t.id) await finish(agent, next);
      return next?.taskId === t.id ? next : null;
    }, 10_000, 'lease after reset');
    expect(again).toMatchObject({ taskId: t.id, turn: 1, resume: true });
    await finish(agent, again);
    expect(await get(t.id)).toMatchObject({ status: 'completed', attempts: 0 });
  });

  it('backs off the whole team when the workspace shares the team key', async () => {
    await api.call('/v1/workspaces', { method: 'POST', json: { name: 'mate', team: 'default', workdirRoots: ['/tmp'] } });
    await patch('local', { rateLimitScope: 'team' });
    const agent = await new HandAgent(api).register();
    const mate = await agentFor('mate').register();
    const t = await createOk();
    const [lease] = (await agent.sync()).leases;
    await finish(agent, lease!, { outcome: 'rate_limited', exitCode: 1, summary: summary({ isError: true, rateLimit: { resetsAt: null, kind: 'rate_limit', message: null } }) });
    const limited = await get(t.id);
    // No reset time known: exponential backoff, 30 s doubling, with jitter above half.
    const wait = Date.parse(limited.rateLimitedUntil!) - (Date.now() + skew);
    expect(wait).toBeGreaterThan(10_000);
    expect(wait).toBeLessThanOrEqual(30_000);
    await createOk({ workspace: 'mate' });
    expect((await mate.sync()).leases).toEqual([]);
    const usage = (await (await api.call('/v1/teams/default/usage')).json()) as { rateLimitedUntil: string | null };
    expect(usage.rateLimitedUntil).not.toBeNull();
  });
});

describe('idempotency, retries, lost work', () => {
  it('returns the same task for the same key and body, 409 for another body', async () => {
    const key = { 'idempotency-key': 'deploy-42' };
    const a = await create({ prompt: 'once' }, key);
    expect(a.status).toBe(201);
    const b = await create({ prompt: 'once' }, key);
    expect(b.status).toBe(200);
    expect(((await b.json()) as TaskView).id).toBe(((await a.json()) as TaskView).id);
    const c = await create({ prompt: 'twice' }, key);
    expect(c.status).toBe(409);
  });

  it('retries a turn that failed to spawn up to 3 attempts, but not claude’s own error', async () => {
    const agent = await new HandAgent(api).register();
    const t = await createOk();
    for (let attempt = 1; attempt <= 3; attempt++) {
      const lease = await waitFor(async () => (await agent.sync(1, [], 500)).leases[0], 15_000, `attempt ${attempt}`);
      await finish(agent, lease, { outcome: 'spawn_failed', exitCode: null, reason: 'tmux: no server' });
    }
    expect(await get(t.id)).toMatchObject({ status: 'failed', attempts: 3, error: { code: 'spawn_failed' } });
    const own = await createOk();
    const [lease] = (await agent.sync(1)).leases;
    await finish(agent, lease!, { exitCode: 1, summary: summary({ isError: true, result: 'API Error: 500' }) });
    expect(await get(own.id)).toMatchObject({ status: 'failed', attempts: 0 });
  });

  it('returns an unstarted lease of a silent agent to the queue, and loses its running task', async () => {
    const gone = await new HandAgent(api).register('gone');
    const running = await createOk({ prompt: 'running' });
    await patch('local', { maxConcurrency: 2 });
    const pending = await createOk({ prompt: 'leased only' });
    const leases = (await gone.sync(2)).leases;
    expect(leases).toHaveLength(2);
    const token = gone.token;
    await api.call(`/agent/v1/tasks/${running.id}/started`, { method: 'POST', token, json: { turn: 1, tmuxSession: 'x' } });
    // Silence past the grace period.
    const lost = await waitFor(async () => ((await get(running.id)).status === 'lost' ? get(running.id) : null), 10_000, 'lost');
    expect(lost.error?.message).toMatch(/silent/);
    expect((await get(pending.id)).status).toBe('queued');
    const fresh = await new HandAgent(api).register('fresh');
    const again = await waitFor(async () => (await fresh.sync(2, [], 500)).leases.find((l) => l.taskId === pending.id), 10_000, 'released lease');
    expect(again.taskId).toBe(pending.id);
  });
});

describe('kill and reconciler', () => {
  it('cancels a queued task so it never starts, and asks the agent to stop a running one', async () => {
    const agent = await new HandAgent(api).register();
    const queued = await createOk({ prompt: 'q1' });
    const queued2 = await createOk({ prompt: 'q2' });
    const killed = (await (await api.call(`/v1/tasks/${queued2.id}/kill`, { method: 'POST' })).json()) as TaskView;
    expect(killed.status).toBe('cancelled');
    const [lease] = (await agent.sync(4)).leases;
    expect(lease!.taskId).toBe(queued.id);
    const token = agent.token;
    await api.call(`/agent/v1/tasks/${queued.id}/started`, { method: 'POST', token, json: { turn: 1, tmuxSession: 'x' } });
    await api.call(`/v1/tasks/${queued.id}/kill`, { method: 'POST' });
    const { commands } = await agent.sync(0, [{ taskId: queued.id, turn: 1, ackSeq: 0, alive: true }]);
    expect(commands).toEqual([expect.objectContaining({ type: 'kill', taskId: queued.id })]);
    await api.call(`/agent/v1/tasks/${queued.id}/finished`, {
      method: 'POST',
      token,
      json: { turn: 1, outcome: 'killed', exitCode: 130, signal: 'SIGINT', lastSeq: 0, summary: summary(), reason: 'killed by request', stderrTail: null },
    });
    expect((await get(queued.id)).status).toBe('killed');
    expect((await agent.sync(4)).leases).toEqual([]);
  });

  // Another BullMQ worker (an older API, a stray script) runs the stalled check that ours skip:
  // with a lock lapsed it moves the job back to wait, deferring its failure past the limit.
  it.each([
    { maxStalledCount: 0, label: 'no stall allowed: deferred failure' },
    { maxStalledCount: 1, label: 'one stall allowed: back to wait' },
  ])('never re-runs a running task whose job BullMQ calls stalled ($label)', async ({ maxStalledCount }) => {
    expect((await patch('local', { maxConcurrency: 2 })).status).toBe(200);
    const first = await new HandAgent(api).register('first');
    const t = await createOk();
    const lease = first.hold((await first.sync(1)).leases[0]!);
    const token = first.token;
    await api.call(`/agent/v1/tasks/${t.id}/started`, { method: 'POST', token, json: { turn: 1, tmuxSession: 'x' } });
    // The first agent keeps syncing (reporting the turn) as a live agent does: silent past the
    // 2 s grace of this file, a slow machine would have it called lost midway.
    const beat = setInterval(() => void first.sync(0).catch(() => undefined), 400);
    onTestFinished(() => clearInterval(beat));
    const row = api.db.sqlite.prepare('select job_id, queue_name from tasks where id = ?').get(t.id) as { job_id: string; queue_name: string };

    const { Queue, Worker } = await import('bullmq');
    const { Redis } = await import('ioredis');
    const conn = new Redis(redis.url, { maxRetriesPerRequest: null });
    const prefix = api.scheduler.config.prefix;
    await conn.del(`${prefix}:${row.queue_name}:${row.job_id}:lock`);
    const stalled: string[] = [];
    const checker = new Worker(row.queue_name, null, { connection: conn, prefix, stalledInterval: 100, maxStalledCount });
    checker.on('stalled', (jobId) => stalled.push(jobId));
    void checker.startStalledCheckTimer();
    await waitFor(() => stalled.includes(row.job_id), 10_000, 'BullMQ to call the job stalled');
    await checker.close();

    // A second agent with free slots is offered nothing: no task of the workspace waits in
    // SQLite, so its look does not even ask Redis. The task runs on the first; the reconciler
    // removes the stray job (BullMQ would have failed it on its next fetch, or put it back to wait).
    const second = await new HandAgent(api).register('second');
    expect((await second.sync(2)).leases).toEqual([]);
    const q = new Queue(row.queue_name, { connection: conn, prefix });
    expect(await (await q.getJob(row.job_id))?.getState()).toBe('waiting');
    const report = (await (await api.call('/v1/admin/consistency?run=1')).json()) as { removedJobs: string[] };
    expect(report.removedJobs).toEqual([row.job_id]);
    expect(await q.getJob(row.job_id)).toBeUndefined();
    await q.close();
    await conn.quit();
    expect((await get(t.id)).status).toBe('running');
    expect(api.db.sqlite.prepare('select agent_id from tasks where id = ?').get(t.id)).toEqual({ agent_id: first.agentId });

    clearInterval(beat);
    await finish(first, lease);
    expect(await get(t.id)).toMatchObject({ status: 'completed', turns: [expect.objectContaining({ status: 'completed' })] });
  });

  it('removes a waiting job that no task row stands behind, and reports it', async () => {
    const agent = await new HandAgent(api).register();
    const ws = api.db.sqlite.prepare("select id from workspaces where name = 'local'").get() as { id: string };
    const { Queue } = await import('bullmq');
    const { Redis } = await import('ioredis');
    const conn = new Redis(redis.url, { maxRetriesPerRequest: null });
    const q = new Queue(`{ws-${ws.id}}`, { connection: conn, prefix: api.scheduler.config.prefix });
    await q.add('turn', { taskId: 'tsk_ghost', turn: 1 }, { jobId: 'ghost-1' });
    const report = (await (await api.call('/v1/admin/consistency?run=1')).json()) as { removedJobs: string[] };
    expect(report.removedJobs).toEqual(['ghost-1']);
    expect(await q.getJob('ghost-1')).toBeUndefined();
    await q.close();
    await conn.quit();
    expect((await agent.sync()).leases).toEqual([]);
    // What it found stays on record for the next look.
    expect(((await (await api.call('/v1/admin/consistency')).json()) as { removedJobs: string[] }).removedJobs).toEqual(['ghost-1']);
  });

  it('enqueues a queued row whose job vanished and reports it', async () => {
    const agent = await new HandAgent(api).register();
    const t = await createOk();
    // Redis loses the job (a flushed or replaced Redis).
    const row = api.db.sqlite.prepare('select job_id, queue_name from tasks where id = ?').get(t.id) as { job_id: string; queue_name: string };
    const { Queue } = await import('bullmq');
    const { Redis } = await import('ioredis');
    const conn = new Redis(redis.url, { maxRetriesPerRequest: null });
    const prefix = api.scheduler.config.prefix;
    const q = new Queue(row.queue_name, { connection: conn, prefix });
    await (await q.getJob(row.job_id))!.remove();
    await q.close();
    await conn.quit();
    expect((await agent.sync()).leases).toEqual([]);
    const report = (await (await api.call('/v1/admin/consistency?run=1')).json()) as { enqueued: string[] };
    expect(report.enqueued).toEqual([t.id]);
    expect((await agent.sync()).leases.map((l) => l.taskId)).toEqual([t.id]);
  });
});
