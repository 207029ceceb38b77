import { describe, expect, it } from 'vitest';
import type { TaskView } from '@switchyard/core';
import { pruneExpired } from '@switchyard/db';
import { useApi } from '../support/api.ts';
import { HandAgent, sj } from '../support/hand-agent.ts';

// What a user sees of a task once retention pruned its output: the task, its result and its
// last line, and readers (paged or live) that reach the end instead of waiting for lines that
// are gone. A task still running is untouched.

const ctx = useApi();
const DAY = 86_400_000;

async function create(prompt: string): Promise<TaskView> {
  const res = await ctx.api.call('/v1/tasks', { method: 'POST', json: { workspace: 'local', prompt, workdir: '/tmp' } });
  expect(res.status).toBe(201);
  return (await res.json()) as TaskView;
}

describe('a task whose output retention pruned', () => {
  it('keeps its row, result and last line; paged and live readers end; running tasks keep everything', async () => {
    const patch = await ctx.api.call('/v1/workspaces/local', { method: 'PATCH', json: { maxConcurrency: 2 } });
    expect(patch.status).toBe(200);
    const agent = await new HandAgent(ctx.api).register('pod-retention');
    const old = await create('an old task');
    const lines = [sj.init(), sj.text('one'), sj.text('two'), sj.text('three'), sj.result('all done')];
    expect(await agent.run(old.id, lines, { result: 'all done' })).toBe('completed');
    const live = await create('still running');
    await agent.lease(live.id);
    await agent.start(live.id);
    await agent.emit(live.id, [sj.text('a'), sj.text('b')]);

    const report = await pruneExpired(ctx.api.db, { outputDays: 30, taskDays: null }, Date.now() + 31 * DAY);
    expect(report).toMatchObject({ outputLines: 4, tasks: 0 });

    const task = (await (await ctx.api.call(`/v1/tasks/${old.id}`)).json()) as TaskView;
    expect(task).toMatchObject({ status: 'completed', result: 'all done', lastSeq: 5 });
    expect(await (await ctx.api.call(`/v1/tasks/${old.id}/output`)).text()).toBe(`${sj.result('all done')}\n`);
    const page = (await (await ctx.api.call(`/v1/tasks/${old.id}/events`)).json()) as { events: { seq: number }[]; done: boolean };
    expect(page.events.map((e) => e.seq)).toEqual([5]);
    expect(page.done).toBe(true);
    // The live stream sends what is left and its end, then closes.
    const sse = await ctx.api.call(`/v1/tasks/${old.id}/events`, { headers: { accept: 'text/event-stream' }, signal: AbortSignal.timeout(10_000) });
    const text = await sse.text();
    expect(text).toContain('event: line');
    expect(text).toMatch(/event: end\n/);

    expect(await (await ctx.api.call(`/v1/tasks/${live.id}/output`)).text()).toBe(`${sj.text('a')}\n${sj.text('b')}\n`);
    expect(await agent.finish(live.id)).toBe('completed');
  });
});
