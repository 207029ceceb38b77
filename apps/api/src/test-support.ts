// Only the *.test.ts files of apps/api import this: a real redis-server, a temp SQLite file, the
// real scheduler on them, and the app built from them, as `startServer` builds it (no HTTP).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startRedis as startRedisServer, type RedisServer } from '@switchyard/testing';
import pino from 'pino';
import { afterAll, beforeAll } from 'vitest';
import { createDb, insertTeam, insertToken, insertWorkspace, type DbHandle, type TeamRow, type WorkspaceRow } from '@switchyard/db';
import { createScheduler, Hub, type Scheduler } from '@switchyard/scheduler';
import { createApi, type createApp } from './app.ts';
import type { NativeRoute } from './native-create.ts';
import type { AppDeps, Principal } from './context.ts';


/** A throwaway redis-server on a free port: nothing saved, nothing appended. */
export const startRedis = (): Promise<RedisServer> => startRedisServer({ appendonly: false });

export interface Harness {
  db: DbHandle;
  scheduler: Scheduler;
  deps: AppDeps;
  app: ReturnType<typeof createApp>;
  /** The create route Node serves in front of `app` (native-create.ts). */
  native: NativeRoute;
  team: TeamRow;
  workspace: WorkspaceRow;
  /** An admin whose default workspace is `workspace`, and its bearer secret. */
  admin: Principal;
  adminSecret: string;
  close(): Promise<void>;
}

/** Team `t`, workspace `w` (roots /tmp) and an admin token over a fresh SQLite file and queue prefix. */
export async function startHarness(redisUrl: string, config = { maxPromptBytes: 1024, maxBodyBytes: 64 * 1024 }): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'sy-api-db-'));
  const db = createDb(join(dir, 'test.db'));
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const logger = pino({ level: process.env.SWITCHYARD_TEST_LOG ?? 'silent' });
  const prefix = `t${Math.random().toString(36).slice(2, 8)}`;
  const scheduler = createScheduler({ redis, db, logger, hub: new Hub(), config: { prefix } });
  const team = insertTeam(db.db, 't');
  const workspace = insertWorkspace(db.db, { name: 'w', teamId: team.id, workdirRoots: ['/tmp'] });
  const { row, secret } = insertToken(db.db, { kind: 'user', name: 'root', role: 'admin', defaultWorkspaceId: workspace.id });
  const admin: Principal = { tokenId: row.id, name: row.name, kind: 'user', role: 'admin', teamId: null, workspaceId: null, defaultWorkspaceId: workspace.id };
  const deps: AppDeps = { db, scheduler, logger, config, redisPing: async () => true };
  return {
    db,
    scheduler,
    deps,
    ...createApi(deps),
    team,
    workspace,
    admin,
    adminSecret: secret,
    async close() {
      await scheduler.close();
      await redis.quit().catch(() => undefined);
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One redis-server and one harness for the calling test file: started before its tests, stopped after. */
export function useHarness(): { readonly h: Harness } {
  const ctx = {} as { h: Harness; redis: RedisServer };
  beforeAll(async () => {
    ctx.redis = await startRedis();
    ctx.h = await startHarness(ctx.redis.url);
  });
  afterAll(async () => {
    await ctx.h?.close();
    await ctx.redis?.stop();
  });
  return ctx;
}
