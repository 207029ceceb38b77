import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApprovalView, TaskView } from '@switchyard/core';
import { spawnApiProcess, type ApiProcess } from '../support/api.ts';
import { cleanupAgentDir, startAgent, waitFor, type TestAgent } from '../support/agent.ts';
import { freePort, startRedis, type RedisServer } from '../support/redis.ts';
import { ensureClaudeCli, offlineEnv } from './support/cli.ts';
import { startMessagesApi, type MessagesApi } from './support/messages-api.ts';

// An approval pending while the API crashes and comes back (#15): the real claude keeps waiting,
// the agent's long-poll retries until the API is back, and a person's answer still reaches claude.

let redis: RedisServer;
let api: ApiProcess;
let agent: TestAgent;
let messages: MessagesApi;
let dataDir: string;
let port: number;
const prefix = 'aprcrash';
const file = `/tmp/sy-contract-apr-api-restart-${randomUUID().slice(0, 8)}.txt`;

beforeAll(async () => {
  const cli = ensureClaudeCli();
  messages = await startMessagesApi();
  redis = await startRedis();
  dataDir = mkdtempSync(join(tmpdir(), 'sy-apr-crash-'));
  port = await freePort();
  api = await spawnApiProcess({ redisUrl: redis.url, dataDir, port, prefix });
  agent = startAgent({ url: api.url, tokenFile: api.agentTokenFile, env: { ...offlineEnv(messages.url), SWITCHYARD_CLAUDE_BIN: cli.bin } });
  await waitFor(async () => ((await (await api.call('/v1/workspaces/local')).json()) as { ready: boolean }).ready, 60_000, 'workspace ready');
}, 300_000);

afterAll(async () => {
  await agent?.stop();
  if (agent) cleanupAgentDir(agent.dir);
  await api?.stop();
  await redis?.stop();
  await messages?.close();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(file, { force: true });
});

const get = async (id: string) => (await (await api.call(`/v1/tasks/${id}`)).json()) as TaskView;
const approvalsOf = async (taskId: string) => ((await (await api.call(`/v1/approvals?task=${taskId}`)).json()) as { approvals: ApprovalView[] }).approvals;

describe('an approval pending while the API restarts', () => {
  it('is still answerable afterwards, and the answer reaches the waiting claude', async () => {
    messages.script((req) => (req.toolResults.length ? { kind: 'text', text: 'done' } : { kind: 'tool_use', name: 'Bash', input: { command: `touch ${file}` } }));
    const res = await api.call('/v1/tasks', { method: 'POST', json: { workspace: 'local', workdir: '/tmp', prompt: 'touch it' } });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as TaskView;
    const pending = await waitFor(async () => (await approvalsOf(id)).find((a) => a.status === 'pending'), 60_000, 'the approval to wait');

    await api.crash();
    api = await spawnApiProcess({ redisUrl: redis.url, dataDir, port, prefix });
    expect(await get(id)).toMatchObject({ status: 'running', pendingApprovals: 1 });
    const answered = await api.call(`/v1/approvals/${pending.id}`, { method: 'POST', json: { decision: 'allow_once' } });
    expect(answered.status).toBe(200);
    const done = await waitFor(async () => {
      const t = await get(id);
      return ['completed', 'failed'].includes(t.status) ? t : null;
    }, 90_000, 'the task to finish');
    expect(done).toMatchObject({ status: 'completed', result: 'done' });
    expect(existsSync(file)).toBe(true);
    expect((await approvalsOf(id)).map((a) => [a.id, a.status])).toEqual([[pending.id, 'allowed']]);
  });
});
