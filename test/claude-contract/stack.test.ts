import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskView } from '@switchyard/core';
import { useApi } from '../support/api.ts';
import { cleanupAgentDir, startAgent, waitFor, type TestAgent } from '../support/agent.ts';
import { ensureClaudeCli, offlineEnv } from './support/cli.ts';
import { startMessagesApi, type MessagesApi } from './support/messages-api.ts';

// The real claude CLI through the whole of Switchyard: API → Redis → agent → tmux → claude →
// the local Messages API stand-in, and back into SQLite.

const ctx = useApi();
let agent: TestAgent;
let messages: MessagesApi;

beforeAll(async () => {
  const cli = ensureClaudeCli();
  messages = await startMessagesApi();
  agent = startAgent({
    url: ctx.api.url,
    tokenFile: ctx.api.agentTokenFile,
    env: { ...offlineEnv(messages.url), SWITCHYARD_CLAUDE_BIN: cli.bin },
  });
  await waitFor(async () => {
    const ws = (await (await ctx.api.call('/v1/workspaces/local')).json()) as { ready: boolean; agent?: { simulated: boolean } };
    return ws.ready && ws.agent?.simulated === false;
  }, 60_000, 'workspace local to be ready with the real claude');
}, 300_000);

afterAll(async () => {
  await agent?.stop();
  if (agent) cleanupAgentDir(agent.dir);
  await messages?.close();
});

async function create(body: Record<string, unknown>): Promise<TaskView> {
  const res = await ctx.api.call('/v1/tasks', { method: 'POST', json: { workspace: 'local', workdir: '/tmp', ...body } });
  expect(res.status).toBe(201);
  return (await res.json()) as TaskView;
}

const get = async (id: string): Promise<TaskView> => (await (await ctx.api.call(`/v1/tasks/${id}`)).json()) as TaskView;

async function turnDone(id: string, n: number): Promise<TaskView> {
  return waitFor(async () => {
    const t = await get(id);
    return t.turns.find((x) => x.n === n)?.finishedAt && !['queued', 'dispatched', 'running'].includes(t.status) ? t : null;
  }, 60_000, `turn ${n} of ${id} to end`);
}

describe('the real CLI through Switchyard', () => {
  it('runs a plain turn and two follow-ups with --resume, costing what the session cost, not the sum of its totals', async () => {
    messages.script(() => ({ kind: 'text', text: 'ok' }));
    const task = await create({ prompt: 'first' });
    const one = await turnDone(task.id, 1);
    expect(one).toMatchObject({ status: 'completed', exitCode: 0, result: 'ok' });
    const perTurn = one.costUsd;
    expect(perTurn).toBeGreaterThan(0);
    for (const [n, prompt] of [[2, 'second'], [3, 'third']] as const) {
      expect((await ctx.api.call(`/v1/tasks/${task.id}/messages`, { method: 'POST', json: { prompt } })).status).toBe(202);
      await turnDone(task.id, n);
    }
    const done = await get(task.id);
    expect(done.status).toBe('completed');
    expect(messages.requests.map((r) => r.lastUserText)).toEqual(['first', 'second', 'third']);
    // claude reports the session's running total on each --resume (1x, 2x, 3x): the task costs 3x.
    expect(done.costUsd).toBeCloseTo(perTurn * 3, 10);
    expect(done.turns.map((t) => t.costUsd)).toEqual([expect.closeTo(perTurn, 10), expect.closeTo(perTurn, 10), expect.closeTo(perTurn, 10)]);
  });
});
