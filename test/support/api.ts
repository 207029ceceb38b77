import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../apps/api/src/config.ts';
import { startServer } from '../../apps/api/src/server.ts';
import type { DbHandle } from '@switchyard/db';
import type { Scheduler, SchedulerConfig } from '@switchyard/scheduler';
import { afterAll, beforeAll } from 'vitest';
import { spawnService, waitFor, type ServiceProcess } from './agent.ts';
import { startRedis, type RedisServer } from './redis.ts';
import { API_HEAP_MB, apiHeapArgs } from '../../scripts/api-node.mjs';

type Call = (path: string, init?: RequestInit & { token?: string; json?: unknown }) => Promise<Response>;

/** fetch against `url` with `token` unless another is given; `json` becomes the body. */
function caller(url: string, defaultToken: string): Call {
  return (path, init = {}) => {
    const { token, json, ...rest } = init;
    const headers = new Headers(rest.headers);
    headers.set('authorization', `Bearer ${token ?? defaultToken}`);
    if (json !== undefined) headers.set('content-type', 'application/json');
    return fetch(`${url}${path}`, { ...rest, headers, body: json !== undefined ? JSON.stringify(json) : rest.body });
  };
}

export interface TestApi {
  url: string;
  dataDir: string;
  adminToken: string;
  agentTokenFile: string;
  db: DbHandle;
  scheduler: Scheduler;
  /** fetch against the API with the admin token unless another is given. */
  call: Call;
  stop(): Promise<void>;
}

/**
 * The real API in-process on a free port: a temp SQLite file, the given real Redis, real HTTP.
 * Bootstraps team `default`, workspace `local` and the token files as `npm start` does.
 */
export async function startApi(opts: {
  redisUrl: string;
  dataDir?: string;
  scheduler?: Partial<SchedulerConfig>;
  maxPromptBytes?: number;
  port?: number;
  /** The scheduler's clock (Date.now by default). */
  now?: () => number;
  /** The Redis key prefix; a fresh one unless a restarted API must find its queues again. */
  redisPrefix?: string;
}): Promise<TestApi> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'sy-api-'));
  const config = loadConfig({
    REDIS_URL: opts.redisUrl,
    SWITCHYARD_DATA_DIR: dataDir,
    SWITCHYARD_PORT: String(opts.port ?? 0),
    SWITCHYARD_BOOTSTRAP_LOCAL: '1',
    SWITCHYARD_REDIS_PREFIX: opts.redisPrefix ?? `t${Math.random().toString(36).slice(2, 8)}`,
    ...(opts.maxPromptBytes ? { SWITCHYARD_MAX_PROMPT_BYTES: String(opts.maxPromptBytes) } : {}),
  });
  const server = await startServer(config, pino({ level: process.env.SWITCHYARD_TEST_LOG ?? 'silent' }), opts.scheduler, opts.now);
  const adminToken = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
  return {
    url: server.url,
    dataDir,
    adminToken,
    agentTokenFile: join(dataDir, 'agent-token'),
    db: server.db,
    scheduler: server.scheduler,
    call: caller(server.url, adminToken),
    async stop() {
      await server.stop();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface ApiProcess extends ServiceProcess {
  url: string;
  adminToken: string;
  agentTokenFile: string;
  call: Call;
}

/**
 * The API as its own process (`apps/api/dist/main.js`, as `npm start` runs it), so a test can
 * kill -9 it. Resolves once `/readyz` answers; the same `dataDir` and `port` restart it.
 */
export async function spawnApiProcess(opts: { redisUrl: string; dataDir: string; port: number; prefix: string; heapMB?: number; nodeArgs?: string[] }): Promise<ApiProcess> {
  const service = spawnService('apps/api/dist/main.js', {
    SWITCHYARD_DATA_DIR: opts.dataDir,
    SWITCHYARD_PORT: String(opts.port),
    SWITCHYARD_HOST: '127.0.0.1',
    REDIS_URL: opts.redisUrl,
    SWITCHYARD_REDIS_PREFIX: opts.prefix,
    SWITCHYARD_BOOTSTRAP_LOCAL: '1',
  }, [...apiHeapArgs(opts.heapMB ?? API_HEAP_MB), ...(opts.nodeArgs ?? [])]);
  const url = `http://127.0.0.1:${opts.port}`;
  await waitFor(async () => {
    if (service.proc.exitCode !== null) throw new Error(`the API exited: ${service.output()}`);
    return (await fetch(`${url}/readyz`).catch(() => null))?.ok;
  }, 60_000, 'the API process to be ready');
  const adminToken = readFileSync(join(opts.dataDir, 'admin-token'), 'utf8').trim();
  return { ...service, url, adminToken, agentTokenFile: join(opts.dataDir, 'agent-token'), call: caller(url, adminToken) };
}

/**
 * For a test file: a real Redis and the API on it, started before the file's tests and stopped
 * after them. Read `ctx.api` and `ctx.redis` inside tests and hooks:
 * `const ctx = useApi();`
 */
export function useApi(opts: Omit<Parameters<typeof startApi>[0], 'redisUrl'> = {}): { redis: RedisServer; api: TestApi } {
  const ctx = {} as { redis: RedisServer; api: TestApi };
  beforeAll(async () => {
    ctx.redis = await startRedis();
    ctx.api = await startApi({ redisUrl: ctx.redis.url, ...opts });
  });
  afterAll(async () => {
    await ctx.api?.stop();
    await ctx.redis?.stop();
  });
  return ctx;
}
