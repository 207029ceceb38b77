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

export interface TestApi {
  url: string;
  dataDir: string;
  adminToken: string;
  agentTokenFile: string;
  db: DbHandle;
  scheduler: Scheduler;
  /** fetch against the API with the admin token unless another is given. */
  call(path: string, init?: RequestInit & { token?: string; json?: unknown }): Promise<Response>;
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
    call(path, init = {}) {
      const { token, json, ...rest } = init;
      const headers = new Headers(rest.headers);
      headers.set('authorization', `Bearer ${token ?? adminToken}`);
      if (json !== undefined) headers.set('content-type', 'application/json');
      return fetch(`${url}${path}`, { ...rest, headers, body: json !== undefined ? JSON.stringify(json) : rest.body });
    },
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
