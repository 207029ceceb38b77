import { describe, expect, it } from 'vitest';
import { emptySummary, type TaskView } from '@switchyard/core';
import { useApi } from '../support/api.ts';
import { HandAgent } from '../support/hand-agent.ts';

// Issue #10, item 7 (agent side of the API) and the attach command: nothing an agent reports is
// trusted beyond its bounds, another workspace's task looks exactly like one that does not
// exist, and the attach command names the agent's private tmux server.

const ctx = useApi();

const createTask = async (prompt = 'p'): Promise<TaskView> =>
  (await (await ctx.api.call('/v1/tasks', { method: 'POST', json: { workspace: 'local', prompt, workdir: '/tmp' } })).json()) as TaskView;

describe('what an agent reports is bounded', () => {
  it('refuses a negative or absurd cost, token count, turn count or duration, and stores nothing of it', async () => {
    const agent = await new HandAgent(ctx.api).register();
    const t = await createTask();
    const lease = await agent.lease(t.id);
    await agent.start(t.id);
    const good = { ...emptySummary(), resultSubtype: 'success', isError: false, result: 'ok', costUsd: 0.5, numTurns: 1, durationMs: 10 };
    const usage = { inputTokens: 1, outputTokens: 1, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 };
    const bad: Record<string, unknown>[] = [
      { costUsd: -1000 },
      { costUsd: 1e12 },
      { numTurns: -1 },
      { durationMs: -5 },
      { durationMs: 1e15 },
      { usage: { ...usage, inputTokens: -10 } },
      { usage: { ...usage, outputTokens: 1.5 } },
      { apiRetries: -1 },
      { permissionDenials: -1 },
    ];
    for (const patch of bad) {
      const res = await ctx.api.call(`/agent/v1/tasks/${t.id}/finished`, {
        method: 'POST',
        token: agent.token,
        json: { turn: lease.turn, outcome: 'exited', exitCode: 0, signal: null, lastSeq: 0, summary: { ...good, ...patch }, reason: null, stderrTail: null },
      });
      expect(res.status, JSON.stringify(patch)).toBe(400);
    }
    const row = ctx.api.db.sqlite.prepare('select status, cost_usd as cost from tasks where id = ?').get(t.id);
    expect(row).toEqual({ status: 'running', cost: 0 });
    expect(await agent.finish(t.id)).toBe('completed');
  });
});

describe("another workspace's task is indistinguishable from none", () => {
  it('answers every agent route and sync the same for both', async () => {
    await ctx.api.call('/v1/teams', { method: 'POST', json: { name: 'other' } });
    await ctx.api.call('/v1/workspaces', { method: 'POST', json: { name: 'other-1', team: 'other', workdirRoots: ['/tmp'] } });
    const tok = (await (await ctx.api.call('/v1/workspaces/other-1/agent-token', { method: 'POST' })).json()) as { token: string };
    const stranger = await new HandAgent(ctx.api, tok.token).register('stranger');
    // A task of `local` in each state an answer could betray: queued, finished.
    const queued = await createTask('queued one');
    const done = await createTask('done one');
    await ctx.api.call(`/v1/tasks/${done.id}/kill`, { method: 'POST' });
    const missing = 'tsk_doesnotexist00';

    const answer = async (id: string, path: string, json: unknown) => {
      const res = await ctx.api.call(`/agent/v1/tasks/${id}${path}`, { method: 'POST', token: stranger.token, json });
      return { status: res.status, body: (await res.text()).replaceAll(id, '<id>') };
    };
    const routes: [string, unknown][] = [
      ['/events', { turn: 1, lines: [{ seq: 1, ts: 1, line: 'x' }] }],
      ['/started', { turn: 1, tmuxSession: 'sy-x' }],
      ['/finished', { turn: 1, outcome: 'exited', exitCode: 0, signal: null, lastSeq: 0, summary: emptySummary(), reason: null, stderrTail: null }],
    ];
    for (const [path, json] of routes) {
      const none = await answer(missing, path, json);
      expect(await answer(queued.id, path, json), path).toEqual(none);
      expect(await answer(done.id, path, json), path).toEqual(none);
    }
    for (const alive of [true, false]) {
      const sync = async (taskId: string) =>
        (await stranger.sync(0, [{ taskId, turn: 1, ackSeq: 0, alive }])).commands.map((c) => ({ ...c, taskId: '<id>' }));
      const none = await sync(missing);
      expect(none).toEqual([{ type: 'abandon', taskId: '<id>', reason: 'unknown task' }]);
      expect(await sync(queued.id), `alive=${alive}`).toEqual(none);
      expect(await sync(done.id), `alive=${alive}`).toEqual(none);
    }
  });
});

describe('the attach command', () => {
  it("names the agent's tmux socket, shell-quoted, once the agent reported one", async () => {
    const socket = "/tmp/sy agent's/tmux.sock";
    const reg = await ctx.api.call('/agent/v1/register', {
      method: 'POST',
      token: new HandAgent(ctx.api).token,
      json: { hostname: 'pod-sock', agentVersion: '0.0.0-test', claudeVersion: null, tmuxVersion: 'tmux 3.4', slots: 2, workdirRoots: ['/tmp'], problems: [], simulated: true, tmuxSocket: socket },
    });
    expect(reg.status).toBe(200);
    const agent = new HandAgent(ctx.api);
    agent.agentId = ((await reg.json()) as { agentId: string }).agentId;
    const before = await createTask();
    expect(before.attach.command).toBe(`tmux attach -t sy-${before.id}`);
    await agent.lease(before.id);
    await agent.start(before.id);
    const view = (await (await ctx.api.call(`/v1/tasks/${before.id}`)).json()) as TaskView;
    expect(view.attach.command).toBe(`tmux -S '/tmp/sy agent'\\''s/tmux.sock' attach -t sy-${before.id}`);
    await agent.finish(before.id);
  });
});
