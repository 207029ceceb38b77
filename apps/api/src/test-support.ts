// Only the *.test.ts files of apps/api import this: a real redis-server, a temp SQLite file, the
// real scheduler on them, and the app built from them, as `startServer` builds it (no HTTP).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pino from 'pino';
import { createDb, insertTeam, insertToken, insertWorkspace, type DbHandle, type TeamRow, type WorkspaceRow } from '@switchyard/db';
import { createScheduler, Hub, type Scheduler } from '@switchyard/scheduler';
import { createApp } from './app.ts';
import type { AppDeps, Principal } from './context.ts';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** A throwaway redis-server on a free port: nothing saved, nothing appended. */
export async function startRedis(): Promise<{ url: string; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'sy-api-redis-'));
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'];
  const proc: ChildProcess = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('redis-server did not start')), 10_000);
    proc.stdout!.on('data', (b: Buffer) => {
      if (b.toString().includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    proc.on('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Harness {
  db: DbHandle;
  scheduler: Scheduler;
  deps: AppDeps;
  app: ReturnType<typeof createApp>;
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
    app: createApp(deps),
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
