import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RedisWatch } from '../redis-watch.ts';
import { useHarness } from '../test-support.ts';

const ctx = useHarness();
let redis: Redis;
beforeEach(() => {
  redis = new Redis(ctx.redisUrl);
});
afterEach(() => {
  redis.disconnect();
});

const config = () => ctx.h.resources.config;
/** The timer's next look, `reconcileEveryMs` later. */
const look = () => {
  ctx.t += config().reconcileEveryMs;
  return ctx.h.sys.reconciler.reconcileIfDue();
};
/** Redis loses this harness's keys, as a flush or a restore of an older file would. */
const flush = async () => {
  const keys = await redis.keys(`${config().prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
};
const commands = async () => Number(/total_commands_processed:(\d+)/.exec(await redis.info('stats'))![1]);

/** A pass at start, then one a safe age later: what every started scheduler has behind it. */
async function settle(): Promise<void> {
  await ctx.h.sys.reconciler.reconcile();
  expect(await look()).not.toBeNull();
  expect(await look()).toBeNull();
}

describe('the reconciler compares in full only when SQLite and Redis may differ', () => {
  it('looks at Redis alone while nothing changed, whatever waits: two commands, no row read', async () => {
    const costOfALook = async () => {
      const before = await commands();
      expect(await look()).toBeNull();
      return (await commands()) - before - 1; // the INFO that reads the count is one
    };
    for (let i = 0; i < 5; i++) await ctx.h.create();
    await settle();
    expect(await costOfALook()).toBe(2);
    for (let i = 0; i < 100; i++) await ctx.h.create();
    expect(await costOfALook()).toBe(2);
  });

  it('after Redis lost its data, repairs old rows at once and young ones once they are old enough', async () => {
    const old = await ctx.h.create();
    await settle();
    const young = await ctx.h.create();
    await flush();

    ctx.t += 1_000;
    const first = await ctx.h.sys.reconciler.reconcileIfDue();
    expect(first?.enqueued).toEqual([old.id]);
    // The young row may be a create in flight: left alone now, and looked at again next time.
    const second = await look();
    expect(second?.enqueued).toEqual([young.id]);
    expect(await look()).toBeNull();
    for (const t of [old, young]) {
      const row = ctx.h.task(t.id);
      expect(await ctx.h.resources.queues.exists(row.queueName!, row.jobId!)).toBe(true);
    }
  });

  it('compares in full after a Redis connection dropped', async () => {
    const task = await ctx.h.create();
    await settle();
    // A job lost while the connection was down (an add whose answer never came back, say).
    await ctx.h.resources.queues.remove(task.queueName!, task.jobId!);
    await redis.client('KILL', 'TYPE', 'normal');
    await ctx.h.resources.queues.exists(task.queueName!, 'any'); // connected again
    expect((await look())?.enqueued).toEqual([task.id]);
  });

  it('compares in full after a Redis restart (a new run_id)', async () => {
    await ctx.h.create();
    await settle();
    const watch = ctx.h.resources.queues.watch;
    const real = watch.look.bind(watch);
    watch.look = async () => ({ ...(await real()), runId: 'another-redis' });
    expect(await look()).not.toBeNull();
  });

  it('with no sign at all, still compares in full once every reconcileFullEveryMs', async () => {
    const task = await ctx.h.create();
    await settle();
    await ctx.h.resources.queues.remove(task.queueName!, task.jobId!); // behind our back
    let report = await look();
    for (let n = 1; !report; n++) {
      expect(n * config().reconcileEveryMs).toBeLessThanOrEqual(config().reconcileFullEveryMs + config().reconcileEveryMs);
      report = await look();
    }
    expect(report.enqueued).toEqual([task.id]);
  });
});

describe('RedisWatch', () => {
  it('looks on a Redis that refuses INFO to our user: no run_id, the mark still read', async () => {
    await redis.acl('SETUSER', 'noinfo', 'on', 'nopass', '~*', '&*', '+@all', '-info');
    const restricted = new Redis(ctx.redisUrl, { username: 'noinfo', password: 'any' });
    try {
      await expect(restricted.info('server')).rejects.toThrow(/NOPERM/);
      const watch = new RedisWatch(restricted, `${config().prefix}:reconciled`, [restricted]);
      expect(await watch.look()).toEqual({ runId: '', marked: false });
      await watch.mark();
      expect(await watch.look()).toEqual({ runId: '', marked: true });
    } finally {
      restricted.disconnect();
      await redis.acl('DELUSER', 'noinfo');
    }
  });
});
