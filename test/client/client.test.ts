import { beforeAll, describe, expect, it } from 'vitest';
import { ApiError, createClient, type Client, type TaskStreamEvent } from '@switchyard/client';
import { useApi } from '../support/api.ts';
import { HandAgent, sj } from '../support/hand-agent.ts';

const ctx = useApi();

let client: Client;
let agent: HandAgent;

beforeAll(async () => {
  client = createClient({ url: `${ctx.api.url}/`, token: ctx.api.adminToken, userAgent: 'client-test' });
  agent = await new HandAgent(ctx.api).register('pod-client-test');
});

const base = { workspace: 'local', workdir: '/tmp' };

describe('client against the real API', () => {
  it('creates a task, replays it by Idempotency-Key, gets and lists it', async () => {
    const first = await client.tasks.create({ ...base, prompt: 'one', priority: 3 }, { idempotencyKey: 'k-1' });
    expect(first.replayed).toBe(false);
    expect(first.task).toMatchObject({ status: 'queued', prompt: 'one', priority: 3, workspace: 'local' });
    const again = await client.tasks.create({ ...base, prompt: 'one', priority: 3 }, { idempotencyKey: 'k-1' });
    expect(again).toMatchObject({ replayed: true, task: { id: first.task.id } });

    expect((await client.tasks.get(first.task.id)).id).toBe(first.task.id);
    const page = await client.tasks.list({ status: ['queued', 'dispatched'], workspace: 'local', limit: 50 });
    expect(page.tasks.map((t) => t.id)).toContain(first.task.id);
    await client.tasks.kill(first.task.id);
    const killed = await client.tasks.list({ status: 'cancelled' });
    expect(killed.tasks.map((t) => t.id)).toContain(first.task.id);
  });

  it('pages through every task with all()', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { task } = await client.tasks.create({ ...base, prompt: `page ${i}` });
      ids.push(task.id);
      await client.tasks.kill(task.id);
    }
    const seen: string[] = [];
    for await (const t of client.tasks.all({ limit: 2 })) seen.push(t.id);
    expect(seen).toEqual(expect.arrayContaining(ids));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('throws ApiError with status, code, message and request id', async () => {
    const err = (await client.tasks.get('tsk_nope').catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 404, code: 'not_found', message: 'task tsk_nope not found', method: 'GET', path: '/v1/tasks/tsk_nope' });
    expect(err.requestId).toEqual(expect.any(String));
    expect(err.isMissingRoute).toBe(false);

    const bad = (await client.tasks.create({ ...base, prompt: 'x', workdir: 'relative/dir' }).catch((e: unknown) => e)) as ApiError;
    expect(bad).toMatchObject({ status: 400, code: 'invalid_request' });

    const anon = createClient({ url: ctx.api.url, token: 'syu_wrong' });
    expect(await anon.tasks.list().catch((e: unknown) => e)).toMatchObject({ status: 401, code: 'unauthorized' });
  });

  it('follows a task live to its end, then reads output, tail and event pages', async () => {
    const { task } = await client.tasks.create({ ...base, prompt: 'follow me' });
    const events: TaskStreamEvent[] = [];
    const following = (async () => {
      for await (const e of client.tasks.follow(task.id)) events.push(e);
    })();
    await agent.lease(task.id);
    await agent.start(task.id);
    await agent.emit(task.id, [sj.init(), sj.text('hello')]);
    await agent.emit(task.id, [sj.result('all good')]);
    await agent.finish(task.id, { result: 'all good', costUsd: 0.5 });
    await following;

    expect(events.flatMap((e) => (e.type === 'line' ? [e.seq] : []))).toEqual([1, 2, 3]);
    const statuses = events.flatMap((e) => (e.type === 'status' ? [e.status] : []));
    expect(statuses.at(-1)).toBe('completed');
    expect(new Set(statuses).size).toBe(statuses.length);
    expect(events.at(-1)).toMatchObject({ type: 'end', task: { id: task.id, status: 'completed', result: 'all good', costUsd: 0.5 } });

    expect(await client.tasks.output(task.id)).toBe(`${sj.init()}\n${sj.text('hello')}\n${sj.result('all good')}\n`);
    expect(await client.tasks.output(task.id, { tail: 1 })).toBe(`${sj.result('all good')}\n`);
    const page = await client.tasks.events(task.id, { after: 1 });
    expect(page).toMatchObject({ nextAfter: 3, status: 'completed', done: true });
    expect(page.events.map((e) => e.seq)).toEqual([2, 3]);
  });

  it('waits for a follow-up turn, not just the end of the first', async () => {
    const { task } = await client.tasks.create({ ...base, prompt: 'first' });
    await agent.run(task.id, [sj.result('first done')]);
    const sent = await client.tasks.send(task.id, 'second');
    expect(sent.turns).toHaveLength(2);
    const waiting = client.tasks.wait(task.id, { untilTurn: 2 });
    await agent.run(task.id, [sj.result('second failed', false)], { exitCode: 1 });
    const done = await waiting;
    expect(done).toMatchObject({ status: 'failed', exitCode: 1 });
    expect(done.turns.map((t) => t.status)).toEqual(['completed', 'failed']);
  });
});
