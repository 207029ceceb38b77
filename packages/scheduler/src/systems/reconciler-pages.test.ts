import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { markAgentLost } from '@switchyard/db';
import { workspaceQueueName } from '../queues.ts';
import { useHarness } from '../test-support.ts';

const PAGE = 4;
const ctx = useHarness({ reconcilePageSize: PAGE });
let monitor: Redis;
let client: Redis;
/** Every command Redis ran for this harness's queues since the last fence, as words. */
let seen: string[][] = [];
let fenced: (() => void) | undefined;
beforeEach(async () => {
  client = new Redis(ctx.redisUrl);
  monitor = await new Redis(ctx.redisUrl).monitor();
  monitor.on('monitor', (_time: string, args: string[]) => {
    if (args[1] === `${ctx.h.resources.config.prefix}:fence`) fenced?.();
    else if (args.some((a) => a.startsWith(`${ctx.h.resources.config.prefix}:`))) seen.push(args);
  });
});
afterEach(() => {
  monitor.disconnect();
  client.disconnect();
});

/** Resolves once MONITOR has shown every command Redis ran before it: it shows them in order. */
async function fence(): Promise<void> {
  const seenFence = new Promise<void>((resolve) => (fenced = resolve));
  await client.get(`${ctx.h.resources.config.prefix}:fence`);
  await seenFence;
}

const aged = () => (ctx.t += ctx.h.resources.config.reconcileSafeAgeMs + 1);

/** A full pass, with the commands it sent to Redis. */
async function pass() {
  await fence();
  seen = [];
  const report = await ctx.h.sys.reconciler.reconcile();
  await fence();
  return { report, commands: seen };
}

describe('reconciler, a page at a time', () => {
  it('never lists a whole queue: a backlog costs a pass time, not memory', async () => {
    for (let i = 0; i < 3 * PAGE + 1; i++) await ctx.h.create();
    aged();
    const { report, commands } = await pass();
    expect(report).toMatchObject({ enqueued: [], removedJobs: [], freedJobs: [] });
    const listings = commands.filter(([cmd]) => ['lrange', 'zrange', 'zrevrange'].includes(cmd!.toLowerCase()));
    expect(listings.length).toBeGreaterThan(3); // the prioritized jobs took four pages
    for (const [, , start, stop] of listings) {
      expect(Number(stop) - Number(start) + 1).toBe(PAGE); // a whole list would be `0 -1`
    }
  });

  it('reads no job of a queue that holds as many jobs as its waiting rows name', async () => {
    for (let i = 0; i < 2 * PAGE; i++) await ctx.h.create();
    aged();
    await pass(); // the first pass of a queue loads BullMQ's scripts
    const { commands } = await pass();
    const jobReads = commands.filter(([cmd, key]) => cmd!.toLowerCase() === 'exists' && !key!.endsWith(':reconciled'));
    expect(jobReads).toEqual([]);
  });

  it('repairs every kind of difference across pages in one pass, then finds none', async () => {
    const tasks = [];
    for (let i = 0; i < 2 * PAGE + 1; i++) tasks.push(await ctx.h.create());
    const queues = ctx.h.resources.queues;
    const lost = [tasks[1]!, tasks[PAGE + 2]!, tasks[2 * PAGE]!];
    for (const t of lost) await queues.remove(t.queueName!, t.jobId!);
    const name = workspaceQueueName(ctx.h.ws.id);
    const ghosts = [];
    for (let i = 0; i < PAGE + 1; i++) ghosts.push(await queues.add(name, { taskId: `tsk_ghost0000000${i}`, turn: 1 }, { priority: 0 }));
    // A lease whose agent is gone.
    const [leased] = await ctx.h.sys.leasing.lease(ctx.h.agent.id, 1);
    markAgentLost(ctx.h.db.db, ctx.h.agent.id, ctx.t);
    await pass(); // the ghosts are seen for the first time: young
    aged();
    const { report } = await pass();
    expect(report.enqueued.sort()).toEqual(lost.map((t) => t.id).sort());
    expect(report.removedJobs.sort()).toEqual(ghosts.sort());
    expect(report.requeuedLeases).toEqual([leased!.taskId]);
    for (const t of lost) expect(await queues.exists(name, ctx.h.task(t.id).jobId!)).toBe(true);
    aged();
    expect((await pass()).report).toMatchObject({ enqueued: [], removedJobs: [], requeuedLeases: [], freedJobs: [] });
  });
});
