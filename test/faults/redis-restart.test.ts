// redis-server killed -9 and started again (from its append-only file) with one task running,
// one delayed by a rate limit and one queued: every task completes, the running one with all
// its lines once and in order, none runs twice, and the workspace takes work afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listTaskEvents } from '@switchyard/db';
import { cleanupAgentDir, startAgent, type TestAgent } from '../support/agent.ts';
import { startApi, type TestApi } from '../support/api.ts';
import { createTask, getTask, outputOnceInOrder, range, recordScenario, runsIn, settled, simLineNumbers, sleep, until } from '../support/faults.ts';
import { startRedis, type RedisServer } from '../support/redis.ts';

let redis: RedisServer;
let api: TestApi;
let agent: TestAgent;

beforeAll(async () => {
  redis = await startRedis();
  api = await startApi({ redisUrl: redis.url, scheduler: { reconcileEveryMs: 2_000, reconcileSafeAgeMs: 4_000 } });
  await api.call('/v1/workspaces/local', { method: 'PATCH', json: { maxConcurrency: 2 } });
  agent = startAgent({ url: api.url, tokenFile: api.agentTokenFile, slots: 2 });
});
afterAll(async () => {
  await agent?.stop();
  if (agent) cleanupAgentDir(agent.dir);
  await api?.stop();
  await redis?.stop();
});

describe('redis-server killed -9 and restarted', () => {
  it.each([
    ['from its append-only file', false],
    ['with its data lost', true],
  ])('%s: loses no queued, delayed or running task and runs none twice', async (_how, empty) => {
    const began = Date.now();
    await until(async () => ((await (await api.call('/v1/workspaces/local')).json()) as { ready: boolean }).ready, 'workspace ready');
    const running = await createTask(api.call, '@sim lines 40 40\n@sim sleep 5\n@sim lines 40 40\n@sim say the end');
    await until(async () => (await getTask(api.call, running)).lastSeq >= 40, 'the first lines stored');
    const limited = await createTask(api.call, '@sim rate_limit 6\n@sim say after the limit');
    await settled(api.call, limited, ['rate_limited']);
    const queued = await createTask(api.call, '@sim say queued');
    expect((await getTask(api.call, queued)).status).toBe('queued');

    await redis.crash();
    await sleep(2_000);
    await redis.restart({ empty });

    const ended = ['completed', 'failed', 'lost', 'killed', 'cancelled'];
    const views = [];
    for (const id of [running, limited, queued]) views.push(await settled(api.call, id, ended, 60_000));
    expect(views.map((v) => v.status)).toEqual(['completed', 'completed', 'completed']);
    expect(views.map((v) => v.result)).toEqual(['the end', 'after the limit', 'queued']);
    const lines = await outputOnceInOrder(api.call, running);
    expect(await simLineNumbers(api.call, running)).toEqual([...range(40), ...range(40)]);
    // One run each; the rate-limited turn runs again once the limit is over, by design.
    const runs = [running, limited, queued].map((id) => runsIn(listTaskEvents(api.db.db, id)));
    expect(runs).toEqual([1, 2, 1]);

    // Nothing holds the workspace's slots: the next task runs.
    const next = await createTask(api.call, '@sim say next');
    expect((await settled(api.call, next, ended, 30_000)).status).toBe('completed');
    recordScenario({
      scenario: empty ? 'redis-kill-restart-empty' : 'redis-kill-restart',
      faults: ['redis-server kill -9', `redis-server restart after 2 s ${empty ? 'with its data lost' : 'from its AOF'}`],
      tasks: 4,
      lines,
      lost: 0,
      doubled: runs[0]! - 1 + (runs[2]! - 1),
      seconds: Math.round((Date.now() - began) / 1000),
    });
  }, 120_000);

  it('frees the slot of a task that ended while Redis was away', async () => {
    const began = Date.now();
    await api.call('/v1/workspaces/local', { method: 'PATCH', json: { maxConcurrency: 1 } });
    const first = await createTask(api.call, '@sim lines 20 40\n@sim sleep 3\n@sim lines 20 40\n@sim say first');
    await until(async () => (await getTask(api.call, first)).lastSeq >= 20, 'the first lines stored');
    await redis.crash();
    // The turn ends and is recorded in SQLite; its job, in the dead Redis, stays active.
    expect((await settled(api.call, first, ['completed', 'failed', 'lost'], 30_000)).status).toBe('completed');
    await redis.restart();
    await until(async () => (await api.call('/readyz')).ok, 'the API to see Redis again');
    const next = await createTask(api.call, '@sim say next');
    const done = await settled(api.call, next, ['completed', 'failed', 'lost'], 30_000);
    expect(done.result).toBe('next');
    const lines = await outputOnceInOrder(api.call, first);
    expect(await simLineNumbers(api.call, first)).toEqual([...range(20), ...range(20)]);
    recordScenario({
      scenario: 'redis-down-while-turn-ends',
      faults: ['redis-server kill -9 mid-turn', 'restart from AOF after the turn ended'],
      tasks: 2,
      lines,
      lost: 0,
      doubled: runsIn(listTaskEvents(api.db.db, first)) - 1,
      seconds: Math.round((Date.now() - began) / 1000),
    });
  }, 90_000);
});
