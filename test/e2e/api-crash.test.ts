import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskView } from '@switchyard/core';
import { spawnApiProcess, type ApiProcess } from '../support/api.ts';
import { cleanupAgentDir, startAgent, waitFor, type TestAgent } from '../support/agent.ts';
import { freePort, startRedis, type RedisServer } from '../support/redis.ts';

let redis: RedisServer;
let api: ApiProcess;
let agent: TestAgent;
let dataDir: string;
let port: number;
const prefix = 'crash';

beforeAll(async () => {
  redis = await startRedis();
  dataDir = mkdtempSync(join(tmpdir(), 'sy-crash-'));
  port = await freePort();
  api = await spawnApiProcess({ redisUrl: redis.url, dataDir, port, prefix });
  agent = startAgent({ url: api.url, tokenFile: api.agentTokenFile });
});
afterAll(async () => {
  await agent?.stop();
  if (agent) cleanupAgentDir(agent.dir);
  await api?.stop();
  await redis?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const get = async (id: string) => (await (await api.call(`/v1/tasks/${id}`)).json()) as TaskView;
const outputOnDisk = (id: string) => readFileSync(join(agent.dir, 'tasks', id, 'turns', '1', 'output.jsonl'), 'utf8').trimEnd().split('\n');

describe('the API killed mid-task', () => {
  it('loses no line: the agent keeps output on disk, retries, and catches up when the API is back', async () => {
    await waitFor(async () => ((await (await api.call('/v1/workspaces/local')).json()) as { ready: boolean }).ready, 30_000, 'workspace ready');
    const res = await api.call('/v1/tasks', {
      method: 'POST',
      json: { workspace: 'local', workdir: '/tmp', prompt: '@sim lines 200 40\n@sim sleep 3\n@sim lines 200 40\n@sim say the end' },
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as TaskView;
    await waitFor(async () => (await get(id)).lastSeq > 100, 30_000, 'the first lines stored');

    await api.crash();
    const written = await waitFor(() => outputOnDisk(id).length >= 403 && outputOnDisk(id).length, 30_000, 'claude to finish writing while the API is down');
    // claude finished its turn with the API gone; everything it wrote waits on disk.
    expect(outputOnDisk(id).at(-1)).toContain('"type":"result"');
    expect(written).toBe(outputOnDisk(id).length);

    api = await spawnApiProcess({ redisUrl: redis.url, dataDir, port, prefix });
    const done = await waitFor(async () => {
      const t = await get(id);
      return t.status === 'completed' || t.status === 'failed' ? t : null;
    }, 60_000, 'the task to finish after the API came back');
    expect(done.status).toBe('completed');
    expect(done.result).toBe('the end');

    // Exactly once and in order: seqs 1..n, the same lines claude wrote to disk.
    const seqs: number[] = [];
    for (let after = 0; ; ) {
      const page = (await (await api.call(`/v1/tasks/${id}/events?after=${after}&limit=5000`)).json()) as { events: { seq: number }[]; nextAfter: number };
      if (page.events.length === 0) break;
      seqs.push(...page.events.map((e) => e.seq));
      after = page.nextAfter;
    }
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    const stored = (await (await api.call(`/v1/tasks/${id}/output`)).text()).trimEnd().split('\n');
    expect(stored).toEqual(outputOnDisk(id));
    const numbers = stored.filter((l) => l.includes('"line ')).map((l) => Number(/line (\d+) of/.exec(l)![1]));
    expect(numbers).toEqual([...Array.from({ length: 200 }, (_, i) => i + 1), ...Array.from({ length: 200 }, (_, i) => i + 1)]);
  });
});
