import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApprovalView, TaskView } from '@switchyard/core';
import { startApi, type TestApi } from '../support/api.ts';
import { answer, ask, auditOf, runningTask, send, waitVerdict } from '../support/approvals.ts';
import { HandAgent } from '../support/hand-agent.ts';
import { startRedis, type RedisServer } from '../support/redis.ts';

// Issue #15: waiting is first-class. A deadline passed denies (the API's clock moved by the test,
// no sleeps); an approval pending across an API restart is still answered and the answer reaches
// the agent's long-poll.

let redis: RedisServer;
let api: TestApi;
let agent: HandAgent;
const dataDir = mkdtempSync(join(tmpdir(), 'sy-apr-'));
let offsetMs = 0;
const now = () => Date.now() + offsetMs;
const prefix = `apr${Math.random().toString(36).slice(2, 8)}`;

beforeAll(async () => {
  redis = await startRedis();
  api = await startApi({ redisUrl: redis.url, now, redisPrefix: prefix, dataDir });
  await send(api, '/v1/workspaces/local', { method: 'PATCH', json: { approvalPolicy: { rules: [], default: 'ask', timeoutSec: 60 }, maxConcurrency: 4 } });
  // The agent follows the API across its restart (a new port).
  agent = await new HandAgent({ call: (path, init) => api.call(path, init), agentTokenFile: api.agentTokenFile }).register();
});

afterAll(async () => {
  await api?.stop();
  await redis?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('an approval no one answers', () => {
  it('expires at the policy timeout: claude is told no, with a message it can act on', async () => {
    const { task, lease } = await runningTask(api, agent);
    expect(lease.approvals).toEqual({ timeoutSec: 60 });
    const asked = await ask(api, agent, lease, 'Bash', { command: 'terraform apply' });
    expect(asked.body.status).toBe('pending');
    offsetMs += 61_000;
    const verdict = await waitVerdict(api, agent, asked.body.approvalId);
    offsetMs -= 61_000;
    expect(verdict.body).toEqual({
      approvalId: asked.body.approvalId,
      status: 'expired',
      answer: { behavior: 'deny', message: 'no one answered within 60 s; ask again later or proceed without this tool' },
    });
    const late = await answer(api, asked.body.approvalId, { decision: 'allow_once' });
    expect([late.status, late.body.error.details.status]).toEqual([409, 'expired']);
    expect((await send<TaskView>(api, `/v1/tasks/${task.id}`)).body).toMatchObject({ status: 'running', pendingApprovals: 0 });
    expect((await auditOf(api, asked.body.approvalId)).map((e) => [e.actor, e.action])).toEqual([['system', 'approval.expired']]);
    await agent.finish(task.id);
  });
});

describe('an API restart while an approval is pending', () => {
  it('keeps it answerable, and the agent’s long-poll on the new API gets the answer', async () => {
    const { task, lease } = await runningTask(api, agent);
    const id = (await ask(api, agent, lease, 'Bash', { command: 'kubectl rollout restart' })).body.approvalId;
    await api.stop();
    api = await startApi({ redisUrl: redis.url, now, redisPrefix: prefix, dataDir });
    await agent.sync(3);
    expect((await send<ApprovalView>(api, `/v1/approvals/${id}`)).body.status).toBe('pending');
    expect((await send<TaskView>(api, `/v1/tasks/${task.id}`)).body).toMatchObject({ status: 'running', pendingApprovals: 1 });
    const waiting = waitVerdict(api, agent, id, 20_000);
    expect((await answer(api, id, { decision: 'deny', message: 'not during the freeze' })).status).toBe(200);
    expect((await waiting).body.answer).toEqual({ behavior: 'deny', message: 'not during the freeze' });
    await agent.finish(task.id);
  });
});
