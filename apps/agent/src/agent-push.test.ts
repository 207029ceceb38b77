// The agent runs a leased turn to its end with its safety tick an hour away: `started`, every
// output line and `finished` go out as the runner writes them.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { OutputLine, TurnFinished } from '@switchyard/core';
import { createAgent } from './agent.ts';
import type { ApiPost } from './api-client.ts';
import { agentConfig, lease, silent, useAgentDir } from './turn/test-support.ts';

const tmp = useAgentDir();

const claude = join(tmp.dir, 'claude');
writeFileSync(claude, [
  '#!/bin/sh',
  'case "$1" in',
  "  --version) echo '2.1.0 (Claude Code)'; exit 0 ;;",
  '  auth) echo \'{"loggedIn":true,"authMethod":"api_key"}\'; exit 0 ;;',
  'esac',
  `seq 1 2000 | sed 's/.*/{"n":&}/'`,
  `echo '{"type":"result","subtype":"success","result":"pushed"}'`,
  '',
].join('\n'));
chmodSync(claude, 0o755);
const config = agentConfig(tmp.dir, { claudeBin: claude });

describe('agent, push not tick', () => {
  it('reports started, ships every line in order and reports the end with no tick in an hour', async () => {
    const calls: string[] = [];
    const stored: string[] = [];
    let finished: TurnFinished | null = null;
    let syncs = 0;
    const answer = async (path: string, body: unknown): Promise<unknown> => {
      if (path === '/register') return { agentId: 'agt_1', workspace: { id: 'ws_1', name: 'w' }, graceSec: 60 };
      if (path === '/sync') {
        await new Promise((r) => setTimeout(r, 20));
        return { leases: ++syncs === 1 ? [lease({ taskId: 'tsk_0000agpush001', workdir: tmp.dir })] : [], commands: [] };
      }
      calls.push(path.split('/').at(-1)!);
      if (path.endsWith('/events')) {
        for (const l of (body as { lines: OutputLine[] }).lines) if (l.seq === stored.length + 1) stored.push(l.line);
        return { ackSeq: stored.length };
      }
      if (path.endsWith('/finished')) finished = body as TurnFinished;
      return {};
    };
    const post = (async (path: string, body: unknown, schema: z.ZodType) => schema.parse(await answer(path, body))) as ApiPost;
    const agent = createAgent({ config, logger: silent, post, tickMs: 3_600_000 });
    const started = agent.start();
    try {
      await expect.poll(() => finished, { timeout: 20_000 }).not.toBeNull();
    } finally {
      await agent.stop();
      await started;
    }
    expect(calls[0]).toBe('started');
    expect(calls.at(-1)).toBe('finished');
    expect(stored).toHaveLength(2001);
    expect(stored.slice(0, 3)).toEqual(['{"n":1}', '{"n":2}', '{"n":3}']);
    expect(finished!).toMatchObject({ outcome: 'exited', exitCode: 0, lastSeq: 2001 });
  });
});
