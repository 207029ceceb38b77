import { randomUUID } from 'node:crypto';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ApprovalPolicy, ApprovalView, TaskView } from '@switchyard/core';
import { useApi } from '../support/api.ts';
import { cleanupAgentDir, startAgent, waitFor, type TestAgent } from '../support/agent.ts';
import { ensureClaudeCli, offlineEnv } from './support/cli.ts';
import { startMessagesApi, type MessagesApi } from './support/messages-api.ts';

// Approvals (#15) with the real claude CLI through the whole of Switchyard: claude in tmux asks
// the agent's MCP server, the agent asks the API, the policy or a person on /v1 answers, and
// claude does what the answer says. The model is the Messages API stand-in: it asks for a Bash
// call, then reads what became of it.

const ctx = useApi();
let agent: TestAgent;
let messages: MessagesApi;
let cliBin: string;
const files: string[] = [];

function startTheAgent(dir?: string): TestAgent {
  return startAgent({ url: ctx.api.url, tokenFile: ctx.api.agentTokenFile, dir, env: { ...offlineEnv(messages.url), SWITCHYARD_CLAUDE_BIN: cliBin } });
}

beforeAll(async () => {
  cliBin = ensureClaudeCli().bin;
  messages = await startMessagesApi();
  agent = startTheAgent();
  await waitFor(async () => {
    const ws = (await (await ctx.api.call('/v1/workspaces/local')).json()) as { ready: boolean; agent?: { simulated: boolean } };
    return ws.ready && ws.agent?.simulated === false;
  }, 60_000, 'workspace local to be ready with the real claude');
}, 300_000);

afterAll(async () => {
  await agent?.stop();
  if (agent) cleanupAgentDir(agent.dir);
  await messages?.close();
  for (const f of files) rmSync(f, { force: true });
});

afterEach(async () => {
  await setPolicy({ rules: [], default: 'ask', timeoutSec: 3600 });
});

/** A file path of this test's in /tmp, removed afterwards. */
function tmpFile(what: string): string {
  const f = `/tmp/sy-contract-apr-${what}-${randomUUID().slice(0, 8)}.txt`;
  files.push(f);
  return f;
}

async function setPolicy(policy: ApprovalPolicy): Promise<void> {
  const res = await ctx.api.call('/v1/workspaces/local', { method: 'PATCH', json: { approvalPolicy: policy } });
  expect(res.status).toBe(200);
}

/** A task in the default mode whose model runs `command` with Bash, then says what it got back. */
async function bashTask(command: string): Promise<TaskView> {
  messages.script((req) => (req.toolResults.length ? { kind: 'text', text: `got: ${req.toolResults[0]!.content}` } : { kind: 'tool_use', name: 'Bash', input: { command } }));
  const res = await ctx.api.call('/v1/tasks', { method: 'POST', json: { workspace: 'local', workdir: '/tmp', prompt: `run ${command}` } });
  expect(res.status).toBe(201);
  return (await res.json()) as TaskView;
}

const get = async (id: string): Promise<TaskView> => (await (await ctx.api.call(`/v1/tasks/${id}`)).json()) as TaskView;
const approvalsOf = async (taskId: string): Promise<ApprovalView[]> =>
  ((await (await ctx.api.call(`/v1/approvals?task=${taskId}`)).json()) as { approvals: ApprovalView[] }).approvals;

const pendingOf = (taskId: string) =>
  waitFor(async () => (await approvalsOf(taskId)).find((a) => a.status === 'pending'), 60_000, `an approval of ${taskId} to wait`);

const done = (id: string) =>
  waitFor(async () => {
    const t = await get(id);
    return t.turns[0]?.finishedAt && !['queued', 'dispatched', 'running'].includes(t.status) ? t : null;
  }, 90_000, `the turn of ${id} to end`);

async function answer(id: string, body: Record<string, unknown>): Promise<void> {
  const res = await ctx.api.call(`/v1/approvals/${id}`, { method: 'POST', json: body });
  expect(res.status).toBe(200);
}

/** What the model was told became of its Bash call (the tool_result of the last request). */
const toolResultSeen = () => messages.requests.at(-1)!.toolResults[0];

describe('approvals with the real CLI through Switchyard', () => {
  it('asks, waits with the task running, and performs a call a person allows once on /v1', async () => {
    const file = tmpFile('allowed');
    const task = await bashTask(`touch ${file}`);
    const pending = await pendingOf(task.id);
    expect(pending).toMatchObject({ toolName: 'Bash', input: { command: `touch ${file}` }, turn: 1 });
    expect(await get(task.id)).toMatchObject({ status: 'running', pendingApprovals: 1 });
    expect(existsSync(file)).toBe(false);
    await answer(pending.id, { decision: 'allow_once' });
    expect(await done(task.id)).toMatchObject({ status: 'completed' });
    expect(existsSync(file)).toBe(true);
    expect(toolResultSeen()).toMatchObject({ is_error: false });
    expect((await approvalsOf(task.id))[0]).toMatchObject({ status: 'allowed', decision: 'allow_once', answeredBy: expect.any(String) });
  });

  it('refuses a call a person denies, and the model reads the deny message', async () => {
    const file = tmpFile('denied');
    const task = await bashTask(`touch ${file}`);
    const pending = await pendingOf(task.id);
    await answer(pending.id, { decision: 'deny', message: 'Not on the production box, please.' });
    const t = await done(task.id);
    expect(existsSync(file)).toBe(false);
    expect(toolResultSeen()).toMatchObject({ is_error: true, content: expect.stringContaining('Not on the production box, please.') });
    expect(t.result).toContain('Not on the production box, please.');
  });

  it('runs an input the person edited, as edited', async () => {
    const asked = tmpFile('asked');
    const edited = tmpFile('edited');
    const task = await bashTask(`touch ${asked}`);
    const pending = await pendingOf(task.id);
    await answer(pending.id, { decision: 'allow_once', updatedInput: { command: `touch ${edited}` } });
    await done(task.id);
    expect(existsSync(edited)).toBe(true);
    expect(existsSync(asked)).toBe(false);
  });

  it('denies a call nobody answered within the policy’s timeout, with a message the model reads', async () => {
    await setPolicy({ rules: [], default: 'ask', timeoutSec: 10 });
    const file = tmpFile('timeout');
    const task = await bashTask(`touch ${file}`);
    await pendingOf(task.id);
    await done(task.id);
    expect(existsSync(file)).toBe(false);
    const [expired] = await approvalsOf(task.id);
    expect(expired).toMatchObject({ status: 'expired', message: expect.any(String) });
    expect(toolResultSeen()).toMatchObject({ is_error: true, content: expect.stringContaining(expired!.message!) });
  });

  it('lets the policy allow and deny without asking anyone', async () => {
    await setPolicy({ rules: [{ effect: 'deny', rule: 'Bash(rm:*)' }, { effect: 'allow', rule: 'Bash(touch:*)' }], default: 'ask', timeoutSec: 3600 });
    const made = tmpFile('policy-allowed');
    const allowed = await bashTask(`touch ${made}`);
    await done(allowed.id);
    expect(existsSync(made)).toBe(true);
    const kept = tmpFile('policy-denied');
    writeFileSync(kept, 'keep me');
    const denied = await bashTask(`rm ${kept}`);
    await done(denied.id);
    expect(existsSync(kept)).toBe(true);
    const refusal = toolResultSeen();
    // Answered by the policy when asked: nobody ever had one pending.
    for (const [task, status, rule] of [[allowed, 'allowed', 'Bash(touch:*)'], [denied, 'denied', 'Bash(rm:*)']] as const) {
      const [a, ...more] = await approvalsOf(task.id);
      expect(more).toEqual([]);
      expect(a).toMatchObject({ status, answeredBy: 'policy', rule });
      expect(a!.answeredAt).toBe(a!.createdAt);
    }
    const [policyDeny] = await approvalsOf(denied.id);
    expect(refusal).toMatchObject({ is_error: true, content: expect.stringContaining(policyDeny!.message ?? 'no message') });
  });

  it('keeps a call waiting through an agent crash and restart, and the answer still reaches claude', async () => {
    const file = tmpFile('restart');
    const task = await bashTask(`touch ${file}`);
    const pending = await pendingOf(task.id);
    await agent.crash();
    agent = startTheAgent(agent.dir);
    // The MCP server asks the new agent again; the API gives it back the same approval.
    await waitFor(() => agent.output().includes('approval waits for an answer'), 60_000, 'the new agent to relay the call again');
    expect((await approvalsOf(task.id)).map((a) => a.id)).toEqual([pending.id]);
    await answer(pending.id, { decision: 'allow_once' });
    expect(await done(task.id)).toMatchObject({ status: 'completed' });
    expect(existsSync(file)).toBe(true);
  });
});
