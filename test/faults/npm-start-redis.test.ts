// `npm start` with its embedded Redis killed -9 mid-task: Redis is started again from its
// append-only file, the API and the agent keep running, and the running task completes with
// every line stored once and in order.
import { afterAll, describe, expect, it } from 'vitest';
import type { TaskView } from '@switchyard/core';
import { waitFor } from '../support/agent.ts';
import { getTask, outputOnceInOrder, recordScenario, simLineNumbers } from '../support/faults.ts';
import { npmStart, type NpmStart } from '../support/npm-start.ts';

let inst: NpmStart | undefined;
afterAll(async () => {
  await inst?.stop();
});

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('npm start with its Redis killed -9', () => {
  it('starts Redis again; the API and agent ride through; the running task completes once', async () => {
    const began = Date.now();
    inst = await npmStart();
    const api = inst.pidsOf('apps/api/dist/main.js');
    const agent = inst.pidsOf('apps/agent/dist/main.js');
    const prompt = '@sim lines 40 40\n@sim sleep 6\n@sim lines 40 40\n@sim say the end';
    const res = await inst.call('/v1/tasks', { method: 'POST', json: { workspace: 'local', workdir: '/tmp', prompt } });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as TaskView;
    const call = inst.call;
    await waitFor(async () => (await getTask(call, id)).lastSeq >= 40, 30_000, 'the first lines stored');

    const [redis] = inst.pidsOf('redis-server');
    process.kill(redis!, 'SIGKILL');
    await waitFor(() => inst!.log().includes('started again'), 15_000, `Redis started again; log:\n${inst!.log()}`);
    const [again] = inst.pidsOf('redis-server');
    expect(again).not.toBe(redis);

    const done = await waitFor(async () => {
      const t = await getTask(call, id);
      return ['completed', 'failed', 'lost', 'killed'].includes(t.status) ? t : null;
    }, 60_000, 'the task to end');
    expect(done.status).toBe('completed');
    expect(done.result).toBe('the end');
    const lines = await outputOnceInOrder(call, id);
    expect(await simLineNumbers(call, id)).toEqual([...range(40), ...range(40)]);
    // The same API and agent all along: nothing else was restarted.
    expect(inst.pidsOf('apps/api/dist/main.js')).toEqual(api);
    expect(inst.pidsOf('apps/agent/dist/main.js')).toEqual(agent);
    expect(inst.log()).not.toContain('stopping: agent, API, Redis');

    // The workspace takes the next task.
    const next = (await (await inst.call('/v1/tasks', { method: 'POST', json: { workspace: 'local', workdir: '/tmp', prompt: '@sim say next' } })).json()) as TaskView;
    const second = await waitFor(async () => {
      const t = await getTask(call, next.id);
      return t.status === 'completed' ? t : null;
    }, 30_000, 'the next task to complete');
    expect(second.result).toBe('next');
    recordScenario({
      scenario: 'npm-start-redis-kill',
      faults: ['embedded redis-server kill -9 (restarted by npm start)'],
      tasks: 2,
      lines: lines + (await outputOnceInOrder(call, next.id)),
      lost: 0,
      doubled: 0,
      seconds: Math.round((Date.now() - began) / 1000),
    });
  }, 180_000);
});
