import { describe, expect, it } from 'vitest';
import type { SyncResponse } from '@switchyard/core';
import { useApi } from '../support/api.ts';
import { HandAgent } from '../support/hand-agent.ts';
import { markAgentLost } from '@switchyard/db';
import { waitFor } from '../support/agent.ts';

const ctx = useApi();

async function agentFor(workspace: string, team: string, pool = false): Promise<HandAgent> {
  await ctx.api.call('/v1/workspaces', { method: 'POST', json: { name: workspace, team, workdirRoots: ['/tmp'], pool } });
  const { token } = (await (await ctx.api.call(`/v1/workspaces/${workspace}/agent-token`, { method: 'POST' })).json()) as { token: string };
  return new HandAgent(ctx.api, token).register(`pod-${workspace}`);
}

const create = async (where: Record<string, string>) =>
  ((await (await ctx.api.call('/v1/tasks', { method: 'POST', json: { ...where, prompt: 'p', workdir: '/tmp' } })).json()) as { id: string }).id;

describe('long-polls woken by events', () => {
  it('answers a waiting sync with the task created during its wait', async () => {
    await ctx.api.call('/v1/teams', { method: 'POST', json: { name: 'solo' } });
    const agent = await agentFor('solo-1', 'solo');
    // A quiet sync first: the next one may skip its first look, but not past new work.
    expect(await agent.sync(1, [], 200)).toEqual({ leases: [], commands: [] });
    const between = await create({ workspace: 'solo-1' });
    const got = await agent.sync(1, [], 20_000);
    expect(got.leases.map((l) => l.taskId)).toEqual([between]);
    expect(await agent.finish(agent.hold(got.leases[0]!).taskId)).toBe('completed');

    const waiting = agent.sync(1, [], 20_000);
    await new Promise((r) => setTimeout(r, 300));
    const during = await create({ workspace: 'solo-1' });
    expect((await waiting).leases.map((l) => l.taskId)).toEqual([during]);
  });

  it('spreads a burst of pool tasks over the idle pool agents, each leased once', async () => {
    await ctx.api.call('/v1/teams', { method: 'POST', json: { name: 'pool' } });
    const agents = await Promise.all([1, 2, 3, 4].map((i) => agentFor(`pool-${i}`, 'pool', true)));
    const syncs: Promise<SyncResponse>[] = agents.map((a) => a.sync(1, [], 20_000));
    await new Promise((r) => setTimeout(r, 300));
    const tasks = await Promise.all([1, 2, 3, 4].map(() => create({ team: 'pool' })));
    const answers = await Promise.all(syncs);
    expect(answers.map((a) => a.leases.length)).toEqual([1, 1, 1, 1]);
    expect(answers.flatMap((a) => a.leases.map((l) => l.taskId)).sort()).toEqual([...tasks].sort());
  });

  it('hears pool work in the wait it is in when an admin makes its workspace a pool member', async () => {
    await ctx.api.call('/v1/teams', { method: 'POST', json: { name: 'joins' } });
    const agent = await agentFor('joins-1', 'joins');
    const waiting = agent.sync(1, [], 20_000);
    await new Promise((r) => setTimeout(r, 300));
    expect((await ctx.api.call('/v1/workspaces/joins-1', { method: 'PATCH', json: { pool: true } })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    const started = Date.now();
    const task = await create({ team: 'joins' });
    expect((await waiting).leases.map((l) => l.taskId)).toEqual([task]);
    // Not at the end of the wait, nor at the next look: when the task was created.
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('gives work to an agent that registers again without the problem that held it back', async () => {
    await ctx.api.call('/v1/teams', { method: 'POST', json: { name: 'fix' } });
    const agent = await agentFor('fix-1', 'fix');
    const broken = { hostname: 'pod-fix-1', agentVersion: '0.0.0-test', claudeVersion: null, tmuxVersion: 'tmux 3.3a', slots: 4, workdirRoots: ['/tmp'], problems: ['no claude on PATH'], simulated: true };
    await ctx.api.call('/agent/v1/register', { method: 'POST', token: agent.token, json: broken });
    const task = await create({ workspace: 'fix-1' });
    expect(await agent.sync(1, [], 200)).toEqual({ leases: [], commands: [] });
    expect(await agent.sync(1, [], 200)).toEqual({ leases: [], commands: [] });
    await agent.register('pod-fix-1');
    expect((await agent.sync(1, [], 5_000)).leases.map((l) => l.taskId)).toEqual([task]);
  });
});

describe('a long-poll whose agent hangs up', () => {
  it('stops waiting at once, and the API counts it no more', async () => {
    await ctx.api.call('/v1/teams', { method: 'POST', json: { name: 'gone' } });
    const agent = await agentFor('gone-1', 'gone');
    const waiting = async () => Number(/^switchyard_agent_syncs_waiting (\d+)$/m.exec(await (await fetch(`${ctx.api.url}/metrics`)).text())?.[1]);
    const hangUp = new AbortController();
    const sync = fetch(`${ctx.api.url}/agent/v1/sync`, {
      method: 'POST',
      headers: { authorization: `Bearer ${agent.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ agentId: agent.agentId, freeSlots: 1, running: [], waitMs: 25_000 }),
      signal: hangUp.signal,
    }).then((r) => r.status).catch(() => 'hung up');
    await waitFor(async () => (await waiting()) === 1, 5_000, 'the sync to wait');
    hangUp.abort();
    expect(await sync).toBe('hung up');
    await waitFor(async () => (await waiting()) === 0, 5_000, 'the API to stop waiting');
  });
});

describe('a herd of agents that connected together', () => {
  it('is answered spread out when nothing happens, so it comes back spread out', async () => {
    await ctx.api.call('/v1/teams', { method: 'POST', json: { name: 'herd' } });
    const agents = await Promise.all(Array.from({ length: 20 }, (_, i) => agentFor(`herd-${i}`, 'herd')));
    const start = Date.now();
    const answeredAt = await Promise.all(agents.map(async (a) => (await a.sync(1, [], 2_000), Date.now() - start)));
    // Each within its wait (the bound itself is jitteredWait's unit test; here a loaded machine
    // may add its own delay), and spread over the second half of it rather than all at once.
    expect(Math.max(...answeredAt)).toBeLessThan(2_000 + 1_000);
    expect(Math.max(...answeredAt) - Math.min(...answeredAt)).toBeGreaterThan(150);
  });
});

describe('an agent taken for lost that syncs again', () => {
  it('is leased the work that waits in its first sync back', async () => {
    await ctx.api.call('/v1/teams', { method: 'POST', json: { name: 'back' } });
    const agent = await agentFor('back-1', 'back');
    expect(await agent.sync(1, [], 200)).toEqual({ leases: [], commands: [] });
    const waiting = await create({ workspace: 'back-1' });
    markAgentLost(ctx.api.db.db, agent.agentId);
    const started = Date.now();
    const got = await agent.sync(1, [], 3_000);
    expect(got.leases.map((l) => l.taskId)).toEqual([waiting]);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
