import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskView } from '@switchyard/core';
import { useApi } from '../support/api.ts';
import { agentTmuxSessions, cleanupAgentDir, startAgent, waitFor, type TestAgent } from '../support/agent.ts';

const ctx = useApi();

let agent: TestAgent;

beforeAll(async () => {
  agent = startAgent({ url: ctx.api.url, tokenFile: ctx.api.agentTokenFile });
  await waitFor(async () => {
    const ws = (await (await ctx.api.call('/v1/workspaces/local')).json()) as { ready: boolean };
    return ws.ready;
  }, 30_000, 'workspace local to be ready');
});

afterAll(async () => {
  await agent?.stop();
  if (agent) cleanupAgentDir(agent.dir);
});

async function create(body: Record<string, unknown>): Promise<TaskView> {
  const res = await ctx.api.call('/v1/tasks', { method: 'POST', json: { workspace: 'local', workdir: '/tmp', ...body } });
  expect(res.status).toBe(201);
  return (await res.json()) as TaskView;
}

async function until(id: string, statuses: string[]): Promise<TaskView> {
  return waitFor(async () => {
    const t = (await (await ctx.api.call(`/v1/tasks/${id}`)).json()) as TaskView;
    return statuses.includes(t.status) ? t : null;
  }, 45_000, `task ${id} to be ${statuses.join('|')}`);
}

describe('one task end to end: API → Redis → agent → tmux → claude-sim → SQLite', () => {
  it('runs a task to completed with result, cost, turns, duration and ordered output', async () => {
    const created = await create({ prompt: '@sim say hello from the sim\n@sim tool Bash\n@sim cost 0.42' });
    expect(created.status).toBe('queued');
    expect(created.id).toMatch(/^tsk_/);
    const done = await until(created.id, ['completed', 'failed']);
    expect(done).toMatchObject({ status: 'completed', exitCode: 0, costUsd: 0.42, isError: false });
    expect(done.numTurns).toBeGreaterThan(0);
    expect(done.durationMs).toBeGreaterThanOrEqual(0);
    expect(done.startedAt).not.toBeNull();
    expect(done.finishedAt).not.toBeNull();
    expect(done.result).toEqual(expect.any(String));
    // On the agent's own tmux server, whose socket it reported at register.
    expect(done.attach.command).toBe(`tmux -S ${agent.dir}/tmux.sock attach -t sy-${created.id}`);

    const raw = await (await ctx.api.call(`/v1/tasks/${created.id}/output`)).text();
    const lines = raw.trimEnd().split('\n');
    const types = lines.map((l) => (JSON.parse(l) as { type: string }).type);
    expect(types[0]).toBe('system');
    expect(types.at(-1)).toBe('result');
    expect(raw).toContain('hello from the sim');
    expect(lines).toHaveLength(done.lastSeq);
    const tail = await (await ctx.api.call(`/v1/tasks/${created.id}/output?tail=2`)).text();
    expect(tail).toBe(`${lines.slice(-2).join('\n')}\n`);
  });

  it('reports a non-zero exit as failed with its exit code', async () => {
    const t = await create({ prompt: '@sim fail something broke' });
    const done = await until(t.id, ['completed', 'failed']);
    expect(done.status).toBe('failed');
    expect(done.exitCode).toBe(1);
    expect(done.error?.message).toContain('something broke');
  });

  it('ran the turn in tmux session sy-<taskId> through an argument array', async () => {
    const t = await create({ prompt: '@sim sleep 3\n@sim say slow' });
    await until(t.id, ['running']);
    expect(agentTmuxSessions(agent.dir)).toContain(`sy-${t.id}`);
    await until(t.id, ['completed']);
  });
});
