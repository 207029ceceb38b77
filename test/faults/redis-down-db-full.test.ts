// Redis down, then the database full: every request answers 503 `unavailable` with Retry-After
// promptly, nothing a client was told failed is stored, /readyz says not ready, and all of it
// recovers by itself when Redis or the disk come back.
import { describe, expect, it } from 'vitest';
import { listAudit, listTasks } from '@switchyard/db';
import { useApi, type TestApi } from '../support/api.ts';
import { recordScenario, until } from '../support/faults.ts';
import { HandAgent } from '../support/hand-agent.ts';

const began = Date.now();

const ctx = useApi();

const body = { workspace: 'local', workdir: '/tmp', prompt: 'hello' };

/** A request and how long it took to answer. */
async function timed(path: string, init?: Parameters<TestApi['call']>[1]): Promise<{ res: Response; ms: number }> {
  const t0 = Date.now();
  const res = await Promise.race([
    ctx.api.call(path, init),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${path} did not answer in 5 s`)), 5_000)),
  ]);
  return { res, ms: Date.now() - t0 };
}

async function expectUnavailable(res: Response, ms: number): Promise<void> {
  expect(res.status).toBe(503);
  expect(ms).toBeLessThan(2_000);
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unavailable');
}

const stored = () => listTasks(ctx.api.db.db, { limit: 1000 }).length;
const audited = () => listAudit(ctx.api.db.db, { limit: 1000, action: 'task.created' }).length;

describe('Redis down, then the database full', () => {
  it('answers 503 promptly, stores nothing it refused, says not ready, and recovers by itself', async () => {
    const agent = await new HandAgent(ctx.api).register();
    expect((await ctx.api.call('/readyz')).status).toBe(200);

    await ctx.redis.crash();
    const ready = await timed('/readyz');
    expect(ready.res.status).toBe(503);
    expect(ready.ms).toBeLessThan(2_000);
    expect(await ready.res.json()).toMatchObject({ ok: false, redis: false, sqlite: true });
    for (let i = 0; i < 3; i++) {
      const { res, ms } = await timed('/v1/tasks', { method: 'POST', json: body, headers: { 'idempotency-key': 'k1' } });
      await expectUnavailable(res, ms);
    }
    expect(stored()).toBe(0);
    expect(audited()).toBe(0);

    await ctx.redis.restart();
    await until(async () => (await ctx.api.call('/readyz')).status === 200, 'readyz after Redis is back');
    // The client retries with the same key: one task, and it runs once.
    const res = await ctx.api.call('/v1/tasks', { method: 'POST', json: body, headers: { 'idempotency-key': 'k1' } });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    expect(await agent.run(id, ['one', 'two'])).toBe('completed');
    expect(stored()).toBe(1);

    // The disk fills: nothing more fits.
    ctx.api.db.sqlite.pragma(`max_page_count = ${ctx.api.db.sqlite.pragma('page_count', { simple: true })}`);
    const full = await timed('/readyz');
    expect(full.res.status).toBe(503);
    expect(await full.res.json()).toMatchObject({ ok: false, sqlite: false, redis: true });
    const refused = await timed('/v1/tasks', { method: 'POST', json: { ...body, prompt: 'x'.repeat(60_000) } });
    await expectUnavailable(refused.res, refused.ms);
    expect(stored()).toBe(1);

    ctx.api.db.sqlite.pragma('max_page_count = 1073741823');
    expect((await ctx.api.call('/readyz')).status).toBe(200);
    const after = await ctx.api.call('/v1/tasks', { method: 'POST', json: body });
    expect(after.status).toBe(201);
    const second = ((await after.json()) as { id: string }).id;
    expect(await agent.run(second, ['three'])).toBe('completed');
    expect(stored()).toBe(2);
    expect(audited()).toBe(2);
    recordScenario({
      scenario: 'redis-down-db-full',
      faults: ['redis kill -9 and restart', 'database full (max_page_count)'],
      tasks: 2,
      lines: 3,
      lost: 0,
      doubled: stored() - 2,
      refusedWith503: 4,
      slowest503Ms: Math.max(ready.ms, full.ms, refused.ms),
      seconds: Math.round((Date.now() - began) / 1000),
    });
  });
});
