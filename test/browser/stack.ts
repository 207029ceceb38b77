import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { TaskView } from '@switchyard/core';
import { startApi, type TestApi } from '../support/api.ts';
import { cleanupAgentDir, startAgent, waitFor, type TestAgent } from '../support/agent.ts';
import { freePort, startRedis, type RedisServer } from '../support/redis.ts';
import { buildDashboardOnce, launchBrowser, type Browser } from './browser.ts';

export interface Stack {
  redis: RedisServer;
  api: TestApi;
  agent: TestAgent;
  browser: Browser;
  /** Stops the API and starts it again on the same port, data dir and Redis. */
  restartApi(gapMs?: number): Promise<void>;
  createTask(body: Record<string, unknown>, token?: string): Promise<TaskView>;
  waitTask(id: string, statuses: string[], ms?: number): Promise<TaskView>;
}

/**
 * For a browser test file: the real stack (Redis, the API on a fixed port so it can restart,
 * the real agent running claude-sim in tmux), the dashboard built once per source hash, and a
 * headless chromium. Read the fields inside tests and hooks.
 */
export function useStack(): Stack {
  const ctx = {} as Stack;
  const dataDir = mkdtempSync(join(tmpdir(), 'sy-browser-'));
  let port = 0;
  beforeAll(async () => {
    buildDashboardOnce();
    port = await freePort();
    ctx.redis = await startRedis();
    ctx.api = await startApi({ redisUrl: ctx.redis.url, dataDir, port });
    ctx.agent = startAgent({ url: ctx.api.url, tokenFile: ctx.api.agentTokenFile, slots: 3 });
    ctx.browser = await launchBrowser();
    await waitFor(async () => ((await (await ctx.api.call('/v1/workspaces/local')).json()) as { ready: boolean }).ready, 30_000, 'workspace local ready');
  }, 120_000);
  afterAll(async () => {
    await ctx.browser?.close();
    await ctx.agent?.stop();
    if (ctx.agent) cleanupAgentDir(ctx.agent.dir);
    await ctx.api?.stop();
    await ctx.redis?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  ctx.restartApi = async (gapMs = 1500) => {
    await ctx.api.stop();
    await new Promise((r) => setTimeout(r, gapMs));
    ctx.api = await startApi({ redisUrl: ctx.redis.url, dataDir, port });
  };
  ctx.createTask = async (body, token) => {
    const res = await ctx.api.call('/v1/tasks', { method: 'POST', token, json: { workspace: 'local', workdir: '/tmp', ...body } });
    if (res.status !== 201) throw new Error(`create: ${res.status} ${await res.text()}`);
    return (await res.json()) as TaskView;
  };
  ctx.waitTask = (id, statuses, ms = 45_000) =>
    waitFor(async () => {
      const t = (await (await ctx.api.call(`/v1/tasks/${id}`)).json()) as TaskView;
      return statuses.includes(t.status) ? t : null;
    }, ms, `task ${id} to be ${statuses.join('|')}`);
  return ctx;
}
