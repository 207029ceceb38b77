import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '@switchyard/testing';
import { JobAdder } from './job-add.ts';

// What JobAdder stores is held equal to what BullMQ's own Queue.add stores for the same job, key by
// key, on a real redis-server: the two queues differ only in their names.

let redis: RedisServer;
let conn: Redis;
beforeAll(async () => {
  redis = await startRedis({ appendonly: false });
  conn = new Redis(redis.url, { maxRetriesPerRequest: 1 });
});
afterAll(async () => {
  conn.disconnect();
  await redis.stop();
});

/** Two queues as QueueAdapter opens them: one for Queue.add, one for JobAdder. */
const queues = (suffix: string) =>
  ['bull', 'ours'].map((who) => new Queue(`{${who}-${suffix}}`, { connection: conn, prefix: 'compat', defaultJobOptions: { removeOnComplete: true, removeOnFail: 1000 }, skipVersionCheck: true })) as [Queue, Queue];

/** Everything a queue holds in Redis, its own name taken out and the clock's fields dropped. */
async function contents(q: Queue, jobIds: string[]): Promise<unknown> {
  const name = q.name;
  const scrub = (v: unknown) => JSON.parse(JSON.stringify(v).replaceAll(name, 'Q'));
  const jobs: Record<string, unknown> = {};
  for (const id of jobIds) {
    const { timestamp, opts, ...rest } = await conn.hgetall(q.toKey(id));
    expect(Number(timestamp)).toBeGreaterThan(Date.now() - 60_000);
    jobs[id] = { ...rest, opts: JSON.parse(opts!) };
  }
  const events = (await conn.xrange(q.keys.events!, '-', '+')).map(([, fields]) => fields);
  return scrub({
    jobs,
    prioritized: await conn.zrange(q.keys.prioritized!, 0, -1, 'WITHSCORES'),
    marker: await conn.zrange(q.keys.marker!, 0, -1, 'WITHSCORES'),
    pc: await conn.get(q.keys.pc!),
    wait: await conn.lrange(q.keys.wait!, 0, -1),
    events,
  });
}

describe('JobAdder', () => {
  it('stores a job as Queue.add does: its hash, its place by priority, the marker and the events', async () => {
    const [bull, ours] = queues('a');
    const adder = new JobAdder(conn);
    const jobs = [
      { jobId: 'tsk_a-1-0001', data: { taskId: 'tsk_a', turn: 1 }, priority: 1001 },
      { jobId: 'tsk_b-1-0002', data: { taskId: 'tsk_b', turn: 1 }, priority: 1 },
      { jobId: 'tsk_c-2-0003', data: { taskId: 'tsk_c', turn: 2, note: 'ünïcode ✓' }, priority: 500 },
      // The same id again: not added twice, and the duplicate is reported the same way.
      { jobId: 'tsk_a-1-0001', data: { taskId: 'tsk_a', turn: 1 }, priority: 1001 },
    ];
    for (const j of jobs) {
      expect((await bull.add('turn', j.data, { jobId: j.jobId, priority: j.priority })).id).toBe(j.jobId);
      expect(await adder.add(ours, 'turn', j.data, j.jobId, j.priority)).toBe(j.jobId);
    }
    const ids = [...new Set(jobs.map((j) => j.jobId))];
    const expected = await contents(bull, ids);
    expect(expected).toMatchObject({ pc: '3', prioritized: expect.arrayContaining(['tsk_b-1-0002']) });
    expect(await contents(ours, ids)).toEqual(expected);
    // And BullMQ reads it back as its own.
    const job = await ours.getJob('tsk_c-2-0003');
    expect(job?.data).toEqual(jobs[2]!.data);
    expect(job?.opts).toMatchObject({ priority: 500, removeOnComplete: true, removeOnFail: 1000, attempts: 0 });
    await Promise.all([bull.close(), ours.close()]);
  });

  it('adds to a Redis that lost its scripts, by sending the script itself', async () => {
    const [, ours] = queues('b');
    const adder = new JobAdder(conn);
    await adder.add(ours, 'turn', { taskId: 'tsk_x', turn: 1 }, 'tsk_x-1-0001', 1001);
    await conn.script('FLUSH');
    expect(await adder.add(ours, 'turn', { taskId: 'tsk_y', turn: 1 }, 'tsk_y-1-0001', 1001)).toBe('tsk_y-1-0001');
    expect(await adder.add(ours, 'turn', { taskId: 'tsk_z', turn: 1 }, 'tsk_z-1-0001', 1001)).toBe('tsk_z-1-0001');
    expect(await ours.getJobCounts('prioritized')).toEqual({ prioritized: 3 });
    await ours.close();
  });

  it('refuses what BullMQ refuses, before sending anything', async () => {
    const [, ours] = queues('c');
    const adder = new JobAdder(conn);
    await expect(adder.add(ours, 'turn', {}, 'tsk_p-1-0001', 1.5)).rejects.toThrow(/Priority/);
    await expect(adder.add(ours, 'turn', {}, 'tsk_p-1-0001', 0)).rejects.toThrow(/Priority/);
    await expect(adder.add(ours, 'turn', {}, 'tsk_p-1-0001', 2 ** 21 + 1)).rejects.toThrow(/Priority/);
    expect(await conn.exists(ours.toKey('tsk_p-1-0001'))).toBe(0);
    await ours.close();
  });
});
