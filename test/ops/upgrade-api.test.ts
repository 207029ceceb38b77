import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskView } from '@switchyard/core';
import { REPO } from '../support/agent.ts';
import { startApi, type TestApi } from '../support/api.ts';
import { startRedis, type RedisServer } from '../support/redis.ts';

// Upgrading an installation of v0.1.0: the current API started on the database v0.1.0 wrote
// (packages/db/fixtures/v0.1.0.db, made by its own code), with the admin-token file it left.

const secret = (kind: 'syu' | 'sya', seed: string) => `${kind}_${createHash('sha256').update(seed).digest('base64url')}`;
const ADMIN = secret('syu', 'fixture-admin');

let redis: RedisServer;
let api: TestApi;

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sy-upgrade-'));
  copyFileSync(join(REPO, 'packages', 'db', 'fixtures', 'v0.1.0.db'), join(dataDir, 'switchyard.db'));
  writeFileSync(join(dataDir, 'admin-token'), `${ADMIN}\n`, { mode: 0o600 });
  redis = await startRedis();
  api = await startApi({ redisUrl: redis.url, dataDir });
});
afterAll(async () => {
  await api?.stop();
  await redis?.stop();
});

const tasks = async (token: string) => {
  const res = await api.call('/v1/tasks?limit=100', { token });
  return { status: res.status, ids: res.ok ? ((await res.json()) as { tasks: TaskView[] }).tasks.map((t) => t.id).sort() : [] };
};

describe('the API started on a v0.1.0 database', () => {
  it('serves every task and line, and the tokens v0.1.0 issued still authenticate with their roles', async () => {
    expect(api.adminToken).toBe(ADMIN);
    expect(await tasks(ADMIN)).toEqual({ status: 200, ids: [1, 2, 3, 4, 5, 6, 7].map((n) => `tsk_fixture${n}`) });
    // alice is a member of team platform: she sees its two tasks only.
    expect(await tasks(secret('syu', 'fixture-alice'))).toEqual({ status: 200, ids: ['tsk_fixture4', 'tsk_fixture6'] });
    expect((await tasks(secret('syu', 'fixture-viewer'))).status).toBe(200);
    expect((await tasks(secret('syu', 'fixture-revoked'))).status).toBe(401);
    const two = (await (await api.call('/v1/tasks/tsk_fixture2')).json()) as TaskView;
    expect(two).toMatchObject({ status: 'completed', result: 'Test added', lastSeq: 4, costUsd: 0.31 });
    expect(two.turns.map((t) => t.prompt)).toEqual(['Fix the failing test in src/lib.ts', 'Now add a regression test']);
    const log = await (await api.call('/v1/tasks/tsk_fixture7/output')).text();
    expect(log.trimEnd().split('\n')).toHaveLength(200);
    // The agent token still opens the agent gateway.
    const reg = await api.call('/agent/v1/register', {
      method: 'POST',
      token: secret('sya', 'fixture-agent'),
      json: { hostname: 'dev-pod-1', agentVersion: '0.1.0', claudeVersion: null, tmuxVersion: 'tmux 3.3a', slots: 2, workdirRoots: ['/tmp'], problems: [], simulated: true },
    });
    expect(reg.status).toBe(200);
  });

  it('converted the file to incremental vacuum at start, and re-queued the task v0.1.0 left waiting', () => {
    expect(Number(api.db.sqlite.pragma('auto_vacuum', { simple: true }))).toBe(2);
    expect(api.scheduler.lastReconcile()?.enqueued).toEqual(['tsk_fixture6']);
  });
});
