import { copyFileSync, existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TaskView } from '@switchyard/core';
import { startApi, useApi, type TestApi } from '../support/api.ts';
import { HandAgent, sj } from '../support/hand-agent.ts';
import { startRedis } from '../support/redis.ts';
import { cli, cliEnv, freshHome } from '../cli/support/cli.ts';

// Backup over HTTP while a task writes, then the documented restore: the file as switchyard.db
// of a fresh API on an EMPTY Redis. The task list must come back as it was, and queued work
// must be back in the queue (the reconciler rebuilds Redis from SQLite).

const ctx = useApi();

async function create(prompt: string): Promise<TaskView> {
  const res = await ctx.api.call('/v1/tasks', { method: 'POST', json: { workspace: 'local', prompt, workdir: '/tmp' } });
  expect(res.status).toBe(201);
  return (await res.json()) as TaskView;
}

async function taskList(a: TestApi): Promise<Array<{ id: string; status: string; lastSeq: number; prompt: string }>> {
  const { tasks } = (await (await a.call('/v1/tasks?limit=100')).json()) as { tasks: TaskView[] };
  return tasks.map((t) => ({ id: t.id, status: t.status, lastSeq: t.lastSeq, prompt: t.prompt }));
}

const output = async (a: TestApi, id: string) => (await a.call(`/v1/tasks/${id}/output`)).text();

/** A kilobyte of output, so the database spans many backup steps. */
const bulky = (i: number) => sj.text(`line ${i} ${'x'.repeat(1000)}`);

describe('switchyard admin backup, and restoring it', () => {
  it('saves a consistent snapshot while a task writes; a fresh API on it lists the same tasks and re-queues the waiting ones', async () => {
    const patch = await ctx.api.call('/v1/workspaces/local', { method: 'PATCH', json: { maxConcurrency: 2 } });
    expect(patch.status).toBe(200);
    const agent = await new HandAgent(ctx.api).register('pod-backup');
    const done = await create('finished before the backup');
    await agent.lease(done.id);
    await agent.start(done.id);
    for (let b = 0; b < 15; b++) await agent.emit(done.id, Array.from({ length: 200 }, (_, i) => bulky(b * 200 + i)));
    expect(await agent.finish(done.id, { result: 'all done' })).toBe('completed');
    const running = await create('still running during the backup');
    await agent.lease(running.id);
    await agent.start(running.id);
    const waiting = await create('waiting in the queue');

    const dir = mkdtempSync(join(tmpdir(), 'sy-backup-'));
    const file = join(dir, 'switchyard-backup.db');
    const env = cliEnv(freshHome(), { SWITCHYARD_URL: ctx.api.url, SWITCHYARD_TOKEN: ctx.api.adminToken });
    // The running task keeps shipping lines for as long as the backup takes.
    let writing = true;
    let shipped = 0;
    const writer = (async () => {
      while (writing) await agent.emit(running.id, [sj.text(`live ${++shipped}`)]);
    })();
    const saved = await cli(['admin', 'backup', file], { env });
    writing = false;
    await writer;
    expect(saved.stderr).toBe('');
    expect(saved.code).toBe(0);
    const bytes = statSync(file).size;
    expect(saved.stdout).toBe(`saved ${(bytes / 1024 / 1024).toFixed(1)} MiB (${bytes} bytes) to ${file}\n`);
    expect(bytes).toBeGreaterThan(3_000_000);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // Only FILE is left: no partial file beside it, no snapshot in the API's data dir.
    expect(readdirSync(dir)).toEqual(['switchyard-backup.db']);
    expect(readdirSync(ctx.api.dataDir).filter((f) => f.startsWith('.backup-'))).toEqual([]);
    expect(shipped).toBeGreaterThan(0);
    const before = await taskList(ctx.api);
    const outputs = { done: await output(ctx.api, done.id), waiting: await output(ctx.api, waiting.id) };

    // The restore, as the README says: the file as switchyard.db in a new data dir, with the
    // token files, on an empty Redis.
    const restoredDir = mkdtempSync(join(tmpdir(), 'sy-restored-'));
    copyFileSync(file, join(restoredDir, 'switchyard.db'));
    for (const f of ['admin-token', 'agent-token']) copyFileSync(join(ctx.api.dataDir, f), join(restoredDir, f));
    const emptyRedis = await startRedis();
    // The reconciler leaves rows younger than two minutes alone (they may be mid-create); this
    // backup is seconds old, a real restore's rows are older. So the first reconcile repairs.
    const restored = await startApi({ redisUrl: emptyRedis.url, dataDir: restoredDir, scheduler: { reconcileSafeAgeMs: 0 } });
    try {
      const after = await taskList(restored);
      // Same tasks with the same statuses; the running one holds a prefix of what it shipped.
      expect(after.map(({ id, status, prompt }) => ({ id, status, prompt }))).toEqual(before.map(({ id, status, prompt }) => ({ id, status, prompt })));
      expect(after.find((t) => t.id === done.id)!.lastSeq).toBe(3000);
      expect(await output(restored, done.id)).toBe(outputs.done);
      expect(await output(restored, waiting.id)).toBe(outputs.waiting);
      // Consistent: the running task's lastSeq is exactly the lines the copy holds.
      const live = after.find((t) => t.id === running.id)!;
      const lines = (await output(restored, running.id)).split('\n').filter(Boolean);
      expect(lines.length).toBe(live.lastSeq);
      expect(lines).toEqual(Array.from({ length: live.lastSeq }, (_, i) => sj.text(`live ${i + 1}`)));
      // Redis started empty: the queued task is back in the queue and an agent gets it.
      expect(restored.scheduler.lastReconcile()?.enqueued).toContain(waiting.id);
      const lease = await new HandAgent(restored).register('pod-after-restore').then((a) => a.lease(waiting.id));
      expect(lease.taskId).toBe(waiting.id);
    } finally {
      await restored.stop();
      await emptyRedis.stop();
    }
  });

  it('is admin only: 401 without a token, 403 for a member, and the CLI says so', async () => {
    expect((await fetch(`${ctx.api.url}/v1/admin/backup`)).status).toBe(401);
    const made = await ctx.api.call('/v1/tokens', { method: 'POST', json: { name: 'dev', role: 'member', team: 'default' } });
    expect(made.status).toBe(201);
    const { token } = (await made.json()) as { token: string };
    const res = await ctx.api.call('/v1/admin/backup', { token });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('forbidden');

    const dir = mkdtempSync(join(tmpdir(), 'sy-backup-'));
    const r = await cli(['admin', 'backup', join(dir, 'b.db')], { env: cliEnv(freshHome(), { SWITCHYARD_URL: ctx.api.url, SWITCHYARD_TOKEN: token }) });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('forbidden');
    expect(existsSync(join(dir, 'b.db'))).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });
});
