import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskView } from '@switchyard/core';
import { cleanupAgentDir, spawnService, startAgent, waitFor, type ServiceProcess, type TestAgent } from '../support/agent.ts';
import { freePort, startRedis, type RedisServer } from '../support/redis.ts';

// What an operator's log pipeline receives at the default level (info) from the API and the
// agent, through a realistic day: tokens made and used, tasks run with claude-sim, a follow-up,
// a kill, failed authentications. No secret and no prompt may be in it. At debug, every request
// line carries its request id.

const canary = (what: string) => `${what}-${randomBytes(12).toString('hex')}`;

interface Api extends ServiceProcess {
  url: string;
  dataDir: string;
  adminToken: string;
  call(path: string, init?: { method?: string; token?: string; json?: unknown }): Promise<Response>;
}

async function spawnApi(redisUrl: string, level: string): Promise<Api> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sy-logs-'));
  const port = await freePort();
  const service = spawnService('apps/api/dist/main.js', {
    SWITCHYARD_DATA_DIR: dataDir,
    SWITCHYARD_PORT: String(port),
    SWITCHYARD_HOST: '127.0.0.1',
    REDIS_URL: redisUrl,
    SWITCHYARD_REDIS_PREFIX: `l${randomBytes(3).toString('hex')}`,
    SWITCHYARD_BOOTSTRAP_LOCAL: '1',
    SWITCHYARD_LOG_LEVEL: level,
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => {
    if (service.proc.exitCode !== null) throw new Error(`the API exited: ${service.output()}`);
    return (await fetch(`${url}/readyz`).catch(() => null))?.ok;
  }, 60_000, 'the API to be ready');
  const adminToken = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
  const call: Api['call'] = (path, init = {}) =>
    fetch(`${url}${path}`, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${init.token ?? adminToken}`, ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: init.json !== undefined ? JSON.stringify(init.json) : undefined,
    });
  return { ...service, url, dataDir, adminToken, call };
}

/** The parsed JSON log lines of a process (pino writes one object per line). */
function logLines(output: string): Array<Record<string, unknown>> {
  return output.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

describe('logs at info', () => {
  let api: Api;
  let agent: TestAgent;
  const apiKey = `sk-ant-api03-${canary('key')}`;
  const oauth = `sk-ant-oat01-${canary('oauth')}`;

  beforeAll(async () => {
    api = await spawnApi(redis.url, 'info');
    agent = startAgent({ url: api.url, tokenFile: join(api.dataDir, 'agent-token'), env: { SWITCHYARD_LOG_LEVEL: 'info', ANTHROPIC_API_KEY: apiKey, CLAUDE_CODE_OAUTH_TOKEN: oauth } });
    await waitFor(async () => ((await (await api.call('/v1/workspaces/local')).json()) as { ready: boolean }).ready, 30_000, 'workspace local to be ready');
  });
  afterAll(async () => {
    await agent?.stop();
    await api?.stop();
    if (agent) cleanupAgentDir(agent.dir);
  });

  const until = (id: string, statuses: string[], token?: string) =>
    waitFor(async () => {
      const t = (await (await api.call(`/v1/tasks/${id}`, { token })).json()) as TaskView;
      return statuses.includes(t.status) ? t : null;
    }, 45_000, `task ${id} to be ${statuses.join('|')}`);

  it('never carry a token, an API key or a prompt, through create, run, follow-up, kill and failed logins', async () => {
    const prompts = [canary('PROMPT-FIRST'), canary('PROMPT-FOLLOWUP'), canary('PROMPT-KILLED')];
    const made = await api.call('/v1/tokens', { method: 'POST', json: { name: 'ci-bot', role: 'member', team: 'default', defaultWorkspace: 'local' } });
    expect(made.status).toBe(201);
    const member = ((await made.json()) as { token: string }).token;
    // Workspace settings carry secrets too (an env for claude): they travel in every lease.
    const settingsSecret = canary('ghp');
    const patched = await api.call('/v1/workspaces/local', { method: 'PATCH', json: { settings: { env: { GITHUB_TOKEN: settingsSecret } } } });
    expect(patched.status).toBe(200);
    const issued = await api.call('/v1/workspaces/local/agent-token', { method: 'POST' });
    expect(issued.status).toBe(201);
    const spareAgentToken = ((await issued.json()) as { token: string }).token;

    const create = async (prompt: string) => {
      const res = await api.call('/v1/tasks', { method: 'POST', token: member, json: { workspace: 'local', workdir: '/tmp', prompt } });
      expect(res.status).toBe(201);
      return (await res.json()) as TaskView;
    };
    const task = await create(`@sim say first answer\n${prompts[0]}`);
    await until(task.id, ['completed'], member);
    const follow = await api.call(`/v1/tasks/${task.id}/messages`, { method: 'POST', token: member, json: { prompt: `@sim say second answer\n${prompts[1]}` } });
    expect(follow.status).toBe(202);
    await waitFor(async () => {
      const t = (await (await api.call(`/v1/tasks/${task.id}`)).json()) as TaskView;
      return t.turns.length === 2 && t.status === 'completed';
    }, 45_000, 'the follow-up to complete');
    const slow = await create(`@sim sleep 30\n${prompts[2]}`);
    await until(slow.id, ['running'], member);
    expect((await api.call(`/v1/tasks/${slow.id}/kill`, { method: 'POST', token: member })).status).toBe(200);
    await until(slow.id, ['killed'], member);

    const bogusUser = `syu_${randomBytes(32).toString('base64url')}`;
    const bogusAgent = `sya_${randomBytes(32).toString('base64url')}`;
    expect((await api.call('/v1/tasks', { token: bogusUser })).status).toBe(401);
    expect((await api.call('/agent/v1/register', { method: 'POST', token: bogusAgent, json: {} })).status).toBe(401);
    expect((await api.call('/v1/admin/backup', { token: member })).status).toBe(403);

    await agent.stop();
    await api.stop();
    const agentToken = readFileSync(join(api.dataDir, 'agent-token'), 'utf8').trim();
    const secrets: Record<string, string> = { adminToken: api.adminToken, agentToken, member, spareAgentToken, bogusUser, bogusAgent, apiKey, oauth, settingsSecret };
    for (const [proc, output] of [['api', api.output()], ['agent', agent.output()]] as const) {
      // The logs are there and say what happened: the check below is not of an empty string.
      expect(logLines(output).length, `${proc} logged`).toBeGreaterThan(3);
      for (const [name, value] of Object.entries(secrets)) {
        // The first 8 characters (syu_abcd) are the token's public prefix, shown in lists.
        expect(output.includes(value) || output.includes(value.slice(8)), `${proc} log holds ${name}`).toBe(false);
      }
      for (const p of prompts) expect(output.includes(p), `${proc} log holds a prompt`).toBe(false);
    }
    const api0 = api.output();
    expect(api0).toContain('agent registered');
    // Both logged about the tasks themselves (by id), just not what they said.
    for (const id of [task.id, slow.id]) expect(agent.output()).toContain(id);
    // The agent's lines about a turn carry the task, the turn and the agent that ran it.
    const finishedLine = logLines(agent.output()).find((l) => l.msg === 'turn finished' && l.taskId === task.id);
    expect(finishedLine).toMatchObject({ taskId: task.id, turn: expect.any(Number), agentId: expect.stringMatching(/^agt_/) });
    expect(logLines(api0).some((l) => l.level === 40 && /auth/i.test(String(l.msg)))).toBe(true);
  });
});

describe('logs at debug', () => {
  it('give every request line its request id', async () => {
    const api = await spawnApi(redis.url, 'debug');
    try {
      await api.call('/v1/tasks');
      await api.call('/v1/tasks', { method: 'POST', json: { workspace: 'local', workdir: '/tmp', prompt: '@sim say hi' } });
      await api.call('/v1/nope');
      await api.call('/v1/tasks', { token: 'syu_wrong' });
      const res = await fetch(`${api.url}/healthz`, { headers: { 'x-request-id': 'from-the-proxy-42' } });
      expect(res.headers.get('x-request-id')).toBe('from-the-proxy-42');
    } finally {
      await api.stop();
    }
    const requests = logLines(api.output()).filter((l) => l.msg === 'request');
    expect(requests.length).toBeGreaterThanOrEqual(5);
    for (const r of requests) expect(r.requestId, JSON.stringify(r)).toEqual(expect.any(String));
    expect(requests.map((r) => r.requestId)).toContain('from-the-proxy-42');
    expect(new Set(requests.map((r) => r.requestId)).size).toBe(requests.length);
  });
});
