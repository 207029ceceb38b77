import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import pino from 'pino';
import { createApp } from '../../apps/api/src/app.ts';
import { bootstrap } from '../../apps/api/src/bootstrap.ts';
import { createRedis } from '../../apps/api/src/redis.ts';
import { createDb, type DbHandle } from '@switchyard/db';
import { createScheduler, type Scheduler, type SchedulerConfig } from '@switchyard/scheduler';
import { spawnService, waitFor, type ServiceProcess } from './agent.ts';

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
}): Promise<TestApi> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'sy-api-'));
  const logger = pino({ level: process.env.SWITCHYARD_TEST_LOG ?? 'silent' });
  const db = createDb(join(dataDir, 'switchyard.db'));
  bootstrap(db, dataDir, true, logger);
  const redis = createRedis(opts.redisUrl);
  const scheduler = createScheduler({
    redis,
    db,
    logger,
    config: { prefix: `t${Math.random().toString(36).slice(2, 8)}`, ...opts.scheduler },
  });
  await scheduler.start();
  const app = createApp({
    db,
    scheduler,
    logger,
    config: { maxPromptBytes: opts.maxPromptBytes ?? 100 * 1024, maxBodyBytes: 1024 * 1024 },
    redisPing: async () => (await redis.ping()) === 'PONG',
  });
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: opts.port ?? 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const adminToken = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
  return {
    url,
    dataDir,
    adminToken,
    agentTokenFile: join(dataDir, 'agent-token'),
    db,
    scheduler,
    call: caller(url, adminToken),
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      await scheduler.close();
      await redis.quit().catch(() => undefined);
      db.close();
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
 * The API as its own process (`apps/api/src/main.ts`, as `npm start` runs it), so a test can
 * kill -9 it. Resolves once `/readyz` answers; the same `dataDir` and `port` restart it.
 */
export async function spawnApiProcess(opts: { redisUrl: string; dataDir: string; port: number; prefix: string }): Promise<ApiProcess> {
  const service = spawnService('apps/api/src/main.ts', {
    SWITCHYARD_DATA_DIR: opts.dataDir,
    SWITCHYARD_PORT: String(opts.port),
    SWITCHYARD_HOST: '127.0.0.1',
    REDIS_URL: opts.redisUrl,
    SWITCHYARD_REDIS_PREFIX: opts.prefix,
    SWITCHYARD_BOOTSTRAP_LOCAL: '1',
  });
  const url = `http://127.0.0.1:${opts.port}`;
  await waitFor(async () => {
    if (service.proc.exitCode !== null) throw new Error(`the API exited: ${service.output()}`);
    return (await fetch(`${url}/readyz`).catch(() => null))?.ok;
  }, 60_000, 'the API process to be ready');
  const adminToken = readFileSync(join(opts.dataDir, 'admin-token'), 'utf8').trim();
  return { ...service, url, adminToken, agentTokenFile: join(opts.dataDir, 'agent-token'), call: caller(url, adminToken) };
}
