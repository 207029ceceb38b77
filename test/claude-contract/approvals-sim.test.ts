import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApprovalView, TaskView } from '@switchyard/core';
import { useApi } from '../support/api.ts';
import { cleanupAgentDir, startAgent, waitFor, type TestAgent } from '../support/agent.ts';
import { answer, userToken } from '../support/approvals.ts';

// claude-sim's `@sim ask` through the agent's approval MCP server, tmux and the API: the fast
// stand-in for the real CLI's permission prompt (approvals-stack.test.ts), for tests that need an
// approval waiting without the real CLI.

const ctx = useApi();
let agent: TestAgent;

beforeAll(async () => {
  agent = startAgent({ url: ctx.api.url, tokenFile: ctx.api.agentTokenFile });
  await waitFor(async () => ((await (await ctx.api.call('/v1/workspaces/local')).json()) as { ready: boolean }).ready, 60_000, 'workspace ready');
});
afterAll(async () => {
  await agent?.stop();
  if (agent) cleanupAgentDir(agent.dir);
});

const get = async (id: string) => (await (await ctx.api.call(`/v1/tasks/${id}`)).json()) as TaskView;
const approvalsOf = async (taskId: string) => ((await (await ctx.api.call(`/v1/approvals?task=${taskId}`)).json()) as { approvals: ApprovalView[] }).approvals;

async function askedTask(): Promise<{ id: string; pending: ApprovalView }> {
  const res = await ctx.api.call('/v1/tasks', { method: 'POST', json: { workspace: 'local', workdir: '/tmp', prompt: '@sim ask Bash\n@sim say after the call' } });
  expect(res.status).toBe(201);
  const { id } = (await res.json()) as TaskView;
  const pending = await waitFor(async () => (await approvalsOf(id)).find((a) => a.status === 'pending'), 30_000, 'the approval to wait');
  return { id, pending };
}

const finished = (id: string) =>
  waitFor(async () => {
    const t = await get(id);
    return ['completed', 'failed'].includes(t.status) ? t : null;
  }, 30_000, `${id} to finish`);

describe('claude-sim asking through the agent', () => {
  it('waits on a person, and goes on with the call allowed', async () => {
    const { id, pending } = await askedTask();
    expect(pending).toMatchObject({ toolName: 'Bash', input: { command: 'ls -la' } });
    expect(await get(id)).toMatchObject({ status: 'running', pendingApprovals: 1 });
    expect((await ctx.api.call(`/v1/approvals/${pending.id}`, { method: 'POST', json: { decision: 'allow_once' } })).status).toBe(200);
    expect(await finished(id)).toMatchObject({ status: 'completed', result: 'after the call', permissionDenials: [] });
  });

  it('keeps claude waiting while a viewer (403) and another team’s member (404) try to answer; the team’s member does', async () => {
    await ctx.api.call('/v1/teams', { method: 'POST', json: { name: 'sim-other' } });
    const viewer = await userToken(ctx.api, { name: 'sim-viewer', role: 'viewer', team: 'default' });
    const stranger = await userToken(ctx.api, { name: 'sim-stranger', role: 'member', team: 'sim-other' });
    const member = await userToken(ctx.api, { name: 'sim-member', role: 'member', team: 'default' });
    const { id, pending } = await askedTask();
    expect((await answer(ctx.api, pending.id, { decision: 'allow_once' }, viewer)).status).toBe(403);
    expect((await answer(ctx.api, pending.id, { decision: 'deny', message: 'mine now' }, stranger)).status).toBe(404);
    // Neither reached claude: the call still waits, the turn still runs.
    expect(await get(id)).toMatchObject({ status: 'running', pendingApprovals: 1 });
    expect((await answer(ctx.api, pending.id, { decision: 'allow_once' }, member)).body).toMatchObject({ status: 'allowed', answeredBy: 'sim-member' });
    expect(await finished(id)).toMatchObject({ status: 'completed', result: 'after the call', permissionDenials: [] });
  });

  it('shows a call a person denied as a permission denial', async () => {
    const { id, pending } = await askedTask();
    expect((await ctx.api.call(`/v1/approvals/${pending.id}`, { method: 'POST', json: { decision: 'deny', message: 'no' } })).status).toBe(200);
    expect(await finished(id)).toMatchObject({ status: 'completed', permissionDenials: [{ turn: 1, toolName: 'Bash' }] });
  });
});
