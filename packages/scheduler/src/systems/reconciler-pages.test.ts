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

/** A full pass (after a sign unless `routine`), with the commands it sent to Redis. */
async function pass(routine = false) {
  await fence();
  seen = [];
  const report = await ctx.h.sys.reconciler.reconcile({ thorough: !routine });
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

  it('reads no job, on a routine pass, of a queue that holds as many jobs as its waiting rows name', async () => {
    for (let i = 0; i < 2 * PAGE; i++) await ctx.h.create();
    aged();
    await pass(true); // the first pass of a queue loads BullMQ's scripts
    const { commands } = await pass(true);
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

  it('after a sign, finds a lost job even when a kill lands between the two counts', async () => {
    const lost = await ctx.h.create();
    const killed = await ctx.h.create({ prompt: 'killed' });
    aged();
    expect((await ctx.h.sys.reconciler.reconcileIfDue())?.enqueued).toEqual([]); // the start's pass
    // A sign (a failed Redis call), after which one task's job is gone.
    const queues = ctx.h.resources.queues;
    queues.watch.troubles++;
    await queues.remove(lost.queueName!, lost.jobId!);
    aged();
    // Redis counts the queue's jobs; a kill then cancels the other task's row, its job not yet
    // removed: one job lost and one too many, the counts of the queue agree.
    const counts = queues.waitingCounts.bind(queues);
    let kill: Promise<unknown> | undefined;
    queues.waitingCounts = async (names) => {
      const n = await counts(names);
      kill = ctx.h.sys.kill.kill(killed.id, 'tester');
      return n;
    };
    const report = await ctx.h.sys.reconciler.reconcileIfDue();
    await kill;
    expect(report?.enqueued).toEqual([lost.id]);
    expect(await queues.exists(lost.queueName!, ctx.h.task(lost.id).jobId!)).toBe(true);
  });

  it('starts no second pass beside one that still runs', async () => {
    await ctx.h.create();
    aged();
    const queues = ctx.h.resources.queues;
    const list = queues.queuesWithJobs.bind(queues);
    let entered!: () => void;
    let release!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const held = new Promise<void>((resolve) => (release = resolve));
    queues.queuesWithJobs = async () => {
      entered();
      await held;
      return list();
    };
    const first = ctx.h.sys.reconciler.reconcileIfDue();
    await inside;
    ctx.t += ctx.h.resources.config.reconcileEveryMs;
    expect(await ctx.h.sys.reconciler.reconcileIfDue()).toBeNull();
    release();
    expect(await first).toMatchObject({ enqueued: [], removedJobs: [] });
  });
});
