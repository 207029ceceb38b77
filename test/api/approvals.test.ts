import { beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '@switchyard/client';
import { MAX_APPROVAL_INPUT_BYTES, type ApprovalView, type TaskView, type WorkspaceView } from '@switchyard/core';
import { useApi } from '../support/api.ts';
import { answer, ask, auditOf, runningTask, send, userToken, waitVerdict } from '../support/approvals.ts';
import { HandAgent } from '../support/hand-agent.ts';

// Issue #15, API side: claude asks about a tool call through the agent; the workspace policy or
// a person answers, from /v1; the agent's long-poll hears the answer.

const ctx = useApi();
let agent: HandAgent;

const POLICY = {
  rules: [
    { effect: 'allow', rule: 'Bash(git log:*)' },
    { effect: 'deny', rule: 'Bash(rm:*)' },
  ],
  default: 'ask',
  timeoutSec: 600,
};

beforeAll(async () => {
  const set = await send<WorkspaceView>(ctx.api, '/v1/workspaces/local', { method: 'PATCH', json: { approvalPolicy: POLICY, maxConcurrency: 4 } });
  expect(set.status).toBe(200);
  expect(set.body.approvalPolicy).toEqual(POLICY);
  agent = await new HandAgent(ctx.api).register();
});

describe('the workspace policy', () => {
  it('allows and denies by its rules at once, without a person, and audits both', async () => {
    const { task, lease } = await runningTask(ctx.api, agent);
    expect(lease.approvals).toEqual({ timeoutSec: 600 });
    const allowed = await ask(ctx.api, agent, lease, 'Bash', { command: 'git log --oneline' });
    expect(allowed.body).toMatchObject({ status: 'allowed', answer: { behavior: 'allow', updatedInput: { command: 'git log --oneline' } } });
    const denied = await ask(ctx.api, agent, lease, 'Bash', { command: 'rm -rf build' });
    expect(denied.body).toMatchObject({ status: 'denied', answer: { behavior: 'deny', message: 'denied by the workspace policy (rule Bash(rm:*))' } });
    // A compound command one part of which is denied is denied.
    const sneaky = await ask(ctx.api, agent, lease, 'Bash', { command: 'git log && rm -rf /' });
    expect(sneaky.body.status).toBe('denied');

    const list = await send<{ approvals: ApprovalView[] }>(ctx.api, `/v1/approvals?task=${task.id}`);
    expect(list.body.approvals.map((a) => [a.status, a.answeredBy, a.rule])).toEqual([
      ['denied', 'policy', 'Bash(rm:*)'],
      ['denied', 'policy', 'Bash(rm:*)'],
      ['allowed', 'policy', 'Bash(git log:*)'],
    ]);
    expect((await send<{ approvals: ApprovalView[] }>(ctx.api, `/v1/approvals?task=${task.id}&status=pending`)).body.approvals).toEqual([]);
    expect((await auditOf(ctx.api, allowed.body.approvalId)).map((e) => [e.actor, e.action])).toEqual([['policy', 'approval.allowed']]);
    await agent.finish(task.id);
  });

  it('is admin-set: a member changing it is refused naming the field', async () => {
    const member = await userToken(ctx.api, { name: 'policy-member', role: 'member', team: 'default' });
    const res = await send(ctx.api, '/v1/workspaces/local', { method: 'PATCH', json: { approvalPolicy: { rules: [], default: 'allow' } }, token: member });
    expect(res.status).toBe(403);
    expect(res.body.error.details.fields).toEqual(['approvalPolicy']);
  });

  it('is not wired into a lease whose mode never asks', async () => {
    await send(ctx.api, '/v1/workspaces/local', { method: 'PATCH', json: { permissionModes: ['default', 'acceptEdits', 'bypassPermissions', 'plan', 'dontAsk'] } });
    for (const mode of ['bypassPermissions', 'plan', 'dontAsk']) {
      const { task, lease } = await runningTask(ctx.api, agent, { permissionMode: mode });
      expect(lease.approvals, mode).toBeUndefined();
      await agent.finish(task.id);
    }
  });
});

describe('a person answers while claude waits', () => {
  it('allows with an edited input: the waiting long-poll gets it; the task reads running meanwhile', async () => {
    const { task, lease } = await runningTask(ctx.api, agent);
    const asked = await ask(ctx.api, agent, lease, 'Bash', { command: 'npm test' });
    expect(asked.body).toMatchObject({ status: 'pending', answer: null });
    const id = asked.body.approvalId;

    const view = (await send<TaskView>(ctx.api, `/v1/tasks/${task.id}`)).body;
    expect([view.status, view.pendingApprovals]).toEqual(['running', 1]);
    expect((await send(ctx.api, `/api/claude/tasks/${task.id}`)).body.status).toBe('running');
    expect((await send<WorkspaceView>(ctx.api, '/v1/workspaces/local')).body.slotsAwaitingApproval).toBe(1);
    const inbox = (await send<{ approvals: ApprovalView[] }>(ctx.api, '/v1/approvals?status=pending&workspace=local')).body.approvals;
    expect(inbox.map((a) => [a.id, a.toolName, a.input])).toEqual([[id, 'Bash', { command: 'npm test' }]]);

    const waiting = waitVerdict(ctx.api, agent, id, 20_000);
    const answered = await answer(ctx.api, id, { decision: 'allow_once', updatedInput: { command: 'npm test -- --run' } });
    expect(answered.status).toBe(200);
    expect(answered.body).toMatchObject({ status: 'allowed', decision: 'allow_once', answeredBy: 'bootstrap-admin' });
    expect((await waiting).body.answer).toEqual({ behavior: 'allow', updatedInput: { command: 'npm test -- --run' } });

    const again = await answer(ctx.api, id, { decision: 'deny', message: 'too late' });
    expect([again.status, again.body.error.details.status]).toEqual([409, 'allowed']);
    expect((await send<TaskView>(ctx.api, `/v1/tasks/${task.id}`)).body.pendingApprovals).toBe(0);
    expect((await auditOf(ctx.api, id)).map((e) => [e.actor, e.action, e.details.editedInput])).toEqual([['bootstrap-admin', 'approval.allowed', true]]);
    await agent.finish(task.id);
  });

  it('denies with a message claude reads', async () => {
    const { task, lease } = await runningTask(ctx.api, agent);
    const id = (await ask(ctx.api, agent, lease, 'Write', { file_path: '/tmp/x', content: 'y' })).body.approvalId;
    await answer(ctx.api, id, { decision: 'deny', message: 'write to /tmp/out instead' });
    expect((await waitVerdict(ctx.api, agent, id)).body).toEqual({ approvalId: id, status: 'denied', answer: { behavior: 'deny', message: 'write to /tmp/out instead' } });
    expect((await auditOf(ctx.api, id)).map((e) => [e.action, e.details.message])).toEqual([['approval.denied', 'write to /tmp/out instead']]);
    await agent.finish(task.id);
  });

  it('allows for the rest of the task: a later matching call is allowed by that rule, another task still asks', async () => {
    const { task, lease } = await runningTask(ctx.api, agent);
    const first = (await ask(ctx.api, agent, lease, 'Bash', { command: 'npm install' })).body.approvalId;
    expect((await answer(ctx.api, first, { decision: 'allow_for_task' })).body.rule).toBe('Bash(npm:*)');
    const later = await ask(ctx.api, agent, lease, 'Bash', { command: 'npm run build' });
    expect(later.body.status).toBe('allowed');
    expect((await send<ApprovalView>(ctx.api, `/v1/approvals/${later.body.approvalId}`)).body).toMatchObject({ answeredBy: 'policy', rule: 'Bash(npm:*)' });
    // Not a rule for every call: another tool still asks, and a policy deny still denies.
    expect((await ask(ctx.api, agent, lease, 'Bash', { command: 'curl example.com' })).body.status).toBe('pending');
    await agent.finish(task.id);
    const other = await runningTask(ctx.api, agent);
    expect((await ask(ctx.api, agent, other.lease, 'Bash', { command: 'npm run build' })).body.status).toBe('pending');
    await agent.finish(other.task.id);
  });

  it('closes what is pending when the turn ends, with the reason; claude is told no', async () => {
    const { task, lease } = await runningTask(ctx.api, agent);
    const id = (await ask(ctx.api, agent, lease, 'Bash', { command: 'make deploy' })).body.approvalId;
    await agent.finish(task.id);
    const closed = (await send<ApprovalView>(ctx.api, `/v1/approvals/${id}`)).body;
    expect(closed.status).toBe('closed');
    expect(closed.message).toMatch(/turn 1 ended/);
    expect((await waitVerdict(ctx.api, agent, id)).body.answer?.behavior).toBe('deny');
    expect((await answer(ctx.api, id, { decision: 'allow_once' })).status).toBe(409);
    expect((await auditOf(ctx.api, id)).map((e) => [e.actor, e.action])).toEqual([['system', 'approval.closed']]);
  });
});

describe('a turn retried', () => {
  it('closes what its first run asked, though the task waits on its first turn again', async () => {
    const { task, lease } = await runningTask(ctx.api, agent);
    const id = (await ask(ctx.api, agent, lease, 'Bash', { command: 'make deploy' })).body.approvalId;
    // The Anthropic API was overloaded past the CLI's retries: the turn runs again after a backoff.
    expect(await agent.finish(task.id, { isError: true, errorKind: 'overloaded' })).toBe('queued');
    // Leased again on the same turn: nothing asked by the first run may pass for this one's.
    expect((await agent.lease(task.id)).turn).toBe(1);
    expect((await send<ApprovalView>(ctx.api, `/v1/approvals/${id}`)).body.status).toBe('closed');
  });
});

describe('who may answer, and what the agent may ask', () => {
  it('refuses a viewer with 403 and another team’s member with 404; a member of the team answers', async () => {
    await send(ctx.api, '/v1/teams', { json: { name: 'approvals-other' } });
    const viewer = await userToken(ctx.api, { name: 'apr-viewer', role: 'viewer', team: 'default' });
    const stranger = await userToken(ctx.api, { name: 'apr-stranger', role: 'member', team: 'approvals-other' });
    const member = await userToken(ctx.api, { name: 'apr-member', role: 'member', team: 'default' });
    const { task, lease } = await runningTask(ctx.api, agent);
    const id = (await ask(ctx.api, agent, lease, 'Bash', { command: 'make' })).body.approvalId;

    expect((await send(ctx.api, `/v1/approvals/${id}`, { token: viewer })).status).toBe(200);
    expect((await answer(ctx.api, id, { decision: 'allow_once' }, viewer)).status).toBe(403);
    expect((await answer(ctx.api, id, { decision: 'allow_once' }, stranger)).status).toBe(404);
    expect((await send(ctx.api, `/v1/approvals/${id}`, { token: stranger })).status).toBe(404);
    expect((await send<{ approvals: ApprovalView[] }>(ctx.api, '/v1/approvals', { token: stranger })).body.approvals).toEqual([]);
    const ok = await answer(ctx.api, id, { decision: 'allow_once' }, member);
    expect([ok.status, ok.body.answeredBy]).toEqual([200, 'apr-member']);
    expect((await auditOf(ctx.api, id)).map((e) => e.actor)).toEqual(['apr-member']);
    await agent.finish(task.id);
  });

  it('returns the same approval for the same tool call asked again (an agent restart)', async () => {
    const { task, lease } = await runningTask(ctx.api, agent);
    const a = await ask(ctx.api, agent, lease, 'Bash', { command: 'make' }, 'toolu_same');
    const b = await ask(ctx.api, agent, lease, 'Bash', { command: 'make' }, 'toolu_same');
    expect(b.body.approvalId).toBe(a.body.approvalId);
    expect((await send<{ approvals: ApprovalView[] }>(ctx.api, `/v1/approvals?task=${task.id}`)).body.approvals).toHaveLength(1);
    await agent.finish(task.id);
  });

  it('refuses a stale lease (409), another workspace’s task (404), and denies an input too large to review', async () => {
    const { task, lease } = await runningTask(ctx.api, agent);
    const stale = await ask(ctx.api, agent, { ...lease, leaseToken: 'an-older-lease' }, 'Bash', { command: 'make' });
    expect([stale.status, (stale.body as any).error.code]).toEqual([409, 'turn_not_current']);
    const wrongTurn = await ask(ctx.api, agent, { ...lease, turn: 2 }, 'Bash', { command: 'make' });
    expect(wrongTurn.status).toBe(409);
    const none = await ask(ctx.api, agent, { ...lease, taskId: 'tsk_nosuchtask' }, 'Bash', { command: 'make' });
    expect(none.status).toBe(404);
    const big = await ask(ctx.api, agent, lease, 'Write', { file_path: '/tmp/x', content: 'x'.repeat(MAX_APPROVAL_INPUT_BYTES) });
    expect(big.body.status).toBe('denied');
    expect(big.body.answer).toMatchObject({ behavior: 'deny', message: expect.stringMatching(/too large/) });
    expect((await waitVerdict(ctx.api, agent, 'apr_nosuch')).status).toBe(404);
    expect((await send(ctx.api, `/agent/v1/approvals/${big.body.approvalId}?waitMs=99999`, { token: agent.token })).status).toBe(400);
    await agent.finish(task.id);
  });

  it('refuses NUL in a deny message and an edited input that is too large', async () => {
    const { task, lease } = await runningTask(ctx.api, agent);
    const id = (await ask(ctx.api, agent, lease, 'Bash', { command: 'make' })).body.approvalId;
    expect((await answer(ctx.api, id, { decision: 'deny', message: 'no\0' })).status).toBe(400);
    expect((await answer(ctx.api, id, { decision: 'allow_once', updatedInput: { command: 'x'.repeat(MAX_APPROVAL_INPUT_BYTES) } })).status).toBe(413);
    expect((await send<ApprovalView>(ctx.api, `/v1/approvals/${id}`)).body.status).toBe('pending');
    await agent.finish(task.id);
  });
});

describe('fleet events', () => {
  it('streams an approval when asked and when answered, only to tokens that may see its task', async () => {
    await send(ctx.api, '/v1/teams', { json: { name: 'events-other' } });
    const stranger = await userToken(ctx.api, { name: 'events-stranger', role: 'member', team: 'events-other' });
    const ac = new AbortController();
    const seen = (token: string) => {
      const got: ApprovalView[] = [];
      const ready = (async () => {
        for await (const e of createClient({ url: ctx.api.url, token }).fleetEvents({ signal: ac.signal })) {
          if (e.type === 'approval') got.push(e.data);
        }
      })();
      return { got, ready };
    };
    const admin = seen(ctx.api.adminToken);
    const other = seen(stranger);
    // Both streams are open once the hub has their listeners.
    while (ctx.api.scheduler.hub.listenerCount('approval') < 3) await new Promise((r) => setTimeout(r, 20));
    const { task, lease } = await runningTask(ctx.api, agent);
    const id = (await ask(ctx.api, agent, lease, 'Bash', { command: 'make events' })).body.approvalId;
    await answer(ctx.api, id, { decision: 'deny', message: 'not now' });
    const mine = () => admin.got.filter((a) => a.id === id);
    while (mine().length < 2) await new Promise((r) => setTimeout(r, 20));
    expect(mine().map((a) => [a.id, a.status, a.toolName])).toEqual([
      [id, 'pending', 'Bash'],
      [id, 'denied', 'Bash'],
    ]);
    ac.abort();
    await Promise.all([admin.ready, other.ready]);
    expect(other.got).toEqual([]);
    await agent.finish(task.id);
  });
});
