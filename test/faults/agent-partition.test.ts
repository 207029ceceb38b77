// The agent cut off from the API for 60 s by a proxy that drops its traffic (shorter than the
// agent grace period): claude keeps writing to disk, the agent keeps it, and once the network
// heals every line is shipped once and in order and the turn completes; nothing is lost.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listTaskEvents } from '@switchyard/db';
import { cleanupAgentDir, startAgent, type TestAgent } from '../support/agent.ts';
import { startApi, type TestApi } from '../support/api.ts';
import { createTask, getTask, outputOnceInOrder, range, recordScenario, runsIn, settled, simLineNumbers, sleep, until } from '../support/faults.ts';
import { startPartitionProxy, type PartitionProxy } from '../support/partition-proxy.ts';
import { startRedis, type RedisServer } from '../support/redis.ts';

const PARTITION_MS = 60_000;
let redis: RedisServer;
let api: TestApi;
let proxy: PartitionProxy;
let agent: TestAgent;

beforeAll(async () => {
  redis = await startRedis();
  api = await startApi({ redisUrl: redis.url });
  proxy = await startPartitionProxy(api.url);
  agent = startAgent({ url: proxy.url, tokenFile: api.agentTokenFile, slots: 1 });
});
afterAll(async () => {
  await agent?.stop();
  if (agent) cleanupAgentDir(agent.dir);
  await proxy?.close();
  await api?.stop();
  await redis?.stop();
});

const onDisk = (id: string) => readFileSync(join(agent.dir, 'tasks', id, 'turns', '1', 'output.jsonl'), 'utf8').trimEnd().split('\n');

describe('the agent partitioned from the API', () => {
  it(`for ${PARTITION_MS / 1000} s: output buffered on disk, caught up after, nothing lost`, async () => {
    const began = Date.now();
    await until(async () => ((await (await api.call('/v1/workspaces/local')).json()) as { ready: boolean }).ready, 'workspace ready');
    const id = await createTask(api.call, '@sim lines 30 40\n@sim sleep 2\n@sim lines 300 40\n@sim say the end');
    await until(async () => (await getTask(api.call, id)).lastSeq >= 30, 'the first lines stored');
    proxy.partition();
    await sleep(PARTITION_MS);
    // claude finished during the partition; the API has heard nothing of it.
    expect(onDisk(id).at(-1)).toContain('"type":"result"');
    const during = await getTask(api.call, id);
    expect(during.status).toBe('running');
    expect(during.lastSeq).toBeLessThan(onDisk(id).length);
    expect(proxy.dropped()).toBeGreaterThan(0);
    proxy.heal();

    const done = await settled(api.call, id, ['completed', 'failed', 'lost', 'killed'], 60_000);
    expect(done.status).toBe('completed');
    expect(done.result).toBe('the end');
    const lines = await outputOnceInOrder(api.call, id);
    expect(lines).toBe(onDisk(id).length);
    expect(await simLineNumbers(api.call, id)).toEqual([...range(30), ...range(300)]);
    const runs = runsIn(listTaskEvents(api.db.db, id));
    expect(runs).toBe(1);
    const next = await createTask(api.call, '@sim say next');
    expect((await settled(api.call, next, ['completed', 'failed', 'lost'], 30_000)).result).toBe('next');
    recordScenario({
      scenario: 'agent-partition',
      faults: [`agent-API traffic dropped for ${PARTITION_MS / 1000} s`],
      tasks: 2,
      lines,
      lost: 0,
      doubled: runs - 1,
      seconds: Math.round((Date.now() - began) / 1000),
    });
  }, PARTITION_MS + 90_000);
});
