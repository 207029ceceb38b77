import { describe, expect, it } from 'vitest';
import type { TaskView, TokenView } from '@switchyard/core';
import { useApi } from '../support/api.ts';
import { HandAgent } from '../support/hand-agent.ts';

const ctx = useApi();

const json = async <T>(res: Response, status: number): Promise<T> => {
  const body = await res.text();
  expect(res.status, body).toBe(status);
  return JSON.parse(body) as T;
};

async function token(body: Record<string, unknown>): Promise<string> {
  return (await json<{ token: string }>(await ctx.api.call('/v1/tokens', { method: 'POST', json: body }), 201)).token;
}

describe('teams, workspaces, tokens and roles', () => {
  it('creates teams and workspaces by name, and issues an agent token shown once', async () => {
    const team = await json<{ id: string; name: string }>(await ctx.api.call('/v1/teams', { method: 'POST', json: { name: 'blue' } }), 201);
    expect(team.name).toBe('blue');
    await json(await ctx.api.call('/v1/teams', { method: 'POST', json: { name: 'blue' } }), 409);
    const ws = await json<{ name: string; team: string; workdirRoots: string[]; ready: boolean; problems: string[] }>(
      await ctx.api.call('/v1/workspaces', { method: 'POST', json: { name: 'blue-1', team: 'blue', workdirRoots: ['/tmp'] } }),
      201,
    );
    expect(ws).toMatchObject({ name: 'blue-1', team: 'blue', workdirRoots: ['/tmp'], ready: false, problems: ['no agent online'] });
    expect((await json<{ name: string }>(await ctx.api.call(`/v1/teams/${team.id}`), 200)).name).toBe('blue');
    const agentTok = await json<{ token: string; kind: string; workspace: string }>(await ctx.api.call('/v1/workspaces/blue-1/agent-token', { method: 'POST' }), 201);
    expect(agentTok.token).toMatch(/^sya_[A-Za-z0-9_-]{43}$/);
    expect(agentTok).toMatchObject({ kind: 'agent', workspace: 'blue-1' });
    const list = await json<{ tokens: TokenView[] }>(await ctx.api.call('/v1/tokens'), 200);
    expect(JSON.stringify(list)).not.toContain(agentTok.token);
  });

  it('scopes members to their team, makes viewers read-only and hides other teams behind 404', async () => {
    await ctx.api.call('/v1/teams', { method: 'POST', json: { name: 'red' } });
    await ctx.api.call('/v1/workspaces', { method: 'POST', json: { name: 'red-1', team: 'red', workdirRoots: ['/tmp'] } });
    const member = await token({ name: 'ci-red', role: 'member', team: 'red', defaultWorkspace: 'red-1' });
    const viewer = await token({ name: 'look-red', role: 'viewer', team: 'red' });
    expect(member).toMatch(/^syu_/);

    const created = await json<TaskView>(await ctx.api.call('/v1/tasks', { method: 'POST', token: member, json: { prompt: 'hi', workdir: '/tmp' } }), 201);
    expect(created.workspace).toBe('red-1');
    const adminTask = await json<TaskView>(await ctx.api.call('/v1/tasks', { method: 'POST', json: { workspace: 'local', prompt: 'admin', workdir: '/tmp' } }), 201);

    // The member sees its team's task, not another team's, which answers 404.
    await json(await ctx.api.call(`/v1/tasks/${created.id}`, { token: member }), 200);
    await json(await ctx.api.call(`/v1/tasks/${adminTask.id}`, { token: member }), 404);
    await json(await ctx.api.call('/v1/workspaces/local', { token: member }), 404);
    await json(await ctx.api.call('/v1/tasks', { method: 'POST', token: member, json: { workspace: 'local', prompt: 'x', workdir: '/tmp' } }), 404);
    const listed = await json<{ tasks: TaskView[] }>(await ctx.api.call('/v1/tasks', { token: member }), 200);
    expect(listed.tasks.map((t) => t.id)).toEqual([created.id]);

    // The viewer reads but cannot write.
    await json(await ctx.api.call(`/v1/tasks/${created.id}`, { token: viewer }), 200);
    const denied = await json<{ error: { code: string } }>(await ctx.api.call(`/v1/tasks/${created.id}/kill`, { method: 'POST', token: viewer }), 403);
    expect(denied.error.code).toBe('forbidden');
    await json(await ctx.api.call('/v1/tasks', { method: 'POST', token: viewer, json: { prompt: 'x', workspace: 'red-1', workdir: '/tmp' } }), 403);

    // Only admins administer.
    await json(await ctx.api.call('/v1/teams', { method: 'POST', token: member, json: { name: 'green' } }), 403);
    await json(await ctx.api.call('/v1/audit', { token: member }), 403);
    const me = await json<TokenView>(await ctx.api.call('/v1/me', { token: member }), 200);
    expect(me).toMatchObject({ name: 'ci-red', role: 'member', team: 'red', defaultWorkspace: 'red-1' });
  });

  it('refuses revoked and expired tokens', async () => {
    const t = await token({ name: 'short', role: 'admin' });
    const me = await json<TokenView>(await ctx.api.call('/v1/me', { token: t }), 200);
    await json(await ctx.api.call(`/v1/tokens/${me.id}`, { method: 'DELETE' }), 200);
    await json(await ctx.api.call('/v1/me', { token: t }), 401);
    await json(await ctx.api.call('/v1/tokens', { method: 'POST', json: { name: 'old', role: 'admin', expiresAt: '2001-01-01T00:00:00Z' } }), 400);
  });

  it('keeps an agent token to its own workspace', async () => {
    await ctx.api.call('/v1/teams', { method: 'POST', json: { name: 'teal' } });
    await ctx.api.call('/v1/workspaces', { method: 'POST', json: { name: 'teal-1', team: 'teal', workdirRoots: ['/tmp'] } });
    const other = await json<{ token: string }>(await ctx.api.call('/v1/workspaces/teal-1/agent-token', { method: 'POST' }), 201);
    const task = await json<TaskView>(await ctx.api.call('/v1/tasks', { method: 'POST', json: { workspace: 'local', prompt: 'mine', workdir: '/tmp' } }), 201);
    const res = await ctx.api.call(`/agent/v1/tasks/${task.id}/events`, { method: 'POST', token: other.token, json: { turn: 1, lines: [{ seq: 1, ts: 1, line: 'x' }] } });
    expect(res.status).toBe(404);
    const out = await (await ctx.api.call(`/v1/tasks/${task.id}/output`)).text();
    expect(out).toBe('');
  });

  it('records who did what in the audit log', async () => {
    const task = await json<TaskView>(await ctx.api.call('/v1/tasks', { method: 'POST', json: { workspace: 'local', prompt: 'audited', workdir: '/tmp' } }), 201);
    await ctx.api.call(`/v1/tasks/${task.id}/kill`, { method: 'POST' });
    const { entries } = await json<{ entries: { action: string; actor: string; targetId: string }[] }>(await ctx.api.call(`/v1/audit?target=${task.id}`), 200);
    expect(entries.map((e) => e.action)).toEqual(['task.killed', 'task.created']);
    expect(entries[0]!.actor).toBe('bootstrap-admin');
    const all = await json<{ entries: { action: string }[] }>(await ctx.api.call('/v1/audit?limit=500'), 200);
    expect(all.entries.map((e) => e.action)).toEqual(expect.arrayContaining(['team.created', 'workspace.created', 'token.created', 'token.revoked']));
  });

  it('lists agents with their online state', async () => {
    const agent = await new HandAgent(ctx.api).register('pod-listed');
    const { agents } = await json<{ agents: { id: string; online: boolean; hostname: string }[] }>(await ctx.api.call('/v1/agents'), 200);
    expect(agents.find((a) => a.id === agent.agentId)).toMatchObject({ online: true, hostname: 'pod-listed' });
  });
});
