// A lease the agent cannot take as it is must not stop the agent from syncing: it ends as
// spawn_failed with the reason, and the agent goes on.
import { afterAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { TurnFinished } from '@switchyard/core';
import { createAgent } from './agent.ts';
import type { ApiPost } from './api-client.ts';
import type { AgentConfig } from './config.ts';
import { lease, silent, tempDir } from './turn/test-support.ts';

const tmp = tempDir();
afterAll(tmp.remove);

const config: AgentConfig = {
  url: 'http://api', token: 'sya_x', dir: tmp.dir, slots: 1, workdirRoots: ['/tmp'], claudeBin: '/bin/true', simFallback: false,
  sessionRetentionSec: 1, dirRetentionSec: 1, maxOutputBytes: 1 << 20, killGraceSec: 1, logLevel: 'silent',
};

describe('leases the agent cannot take', () => {
  it('reports a lease that does not parse as spawn_failed and keeps syncing', async () => {
    // Not a lease the schema accepts: an unknown permission mode (say, from an API that checked nothing).
    const bad = { ...lease({ taskId: 'tsk_0000badlease01' }), options: { permissionMode: 'yolo', allowedTools: ['--mcp-config'] } };
    const finished: TurnFinished[] = [];
    let syncs = 0;
    const answer = async (path: string, body: unknown): Promise<unknown> => {
      if (path === '/register') return { agentId: 'agt_1', workspace: { id: 'ws_1', name: 'w' }, graceSec: 60 };
      if (path === '/sync') {
        syncs++;
        await new Promise((r) => setTimeout(r, 20));
        return { leases: syncs === 1 ? [bad] : [], commands: [] };
      }
      if (path.endsWith('/finished')) finished.push(body as TurnFinished);
      return {};
    };
    // Parsed with the agent's own schema, as the real client does.
    const post = (async (path: string, body: unknown, schema: z.ZodType) => schema.parse(await answer(path, body))) as ApiPost;
    const agent = createAgent({ config, logger: silent, post });
    const started = agent.start();
    await expect.poll(() => finished.length, { timeout: 10_000 }).toBe(1);
    await expect.poll(() => syncs, { timeout: 5_000 }).toBeGreaterThan(2);
    await agent.stop();
    await started;
    expect(finished[0]).toMatchObject({ outcome: 'spawn_failed', turn: 1 });
    expect(finished[0]!.reason).toMatch(/the lease does not parse.*permissionMode/);
  });
});
