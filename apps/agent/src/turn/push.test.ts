// A turn is stepped by what its runner writes, not by a timer: `started`, the output and the end
// reach the API with nobody calling tick() (the agent's tick is only a safety net).
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TurnFinished } from '@switchyard/core';
import { Turn } from './turn.ts';
import { agentConfig, fakeApi, lease, silent, useAgentDir } from './test-support.ts';

const tmp = useAgentDir();
const tmux = tmp.tmux;
const config = agentConfig(tmp.dir);

/** A claude that writes `lines` lines, waits a little between two halves, and ends. */
function stubClaude(lines: number): string {
  const bin = join(tmp.dir, `claude-${lines}`);
  const half = Math.floor(lines / 2);
  writeFileSync(bin, `#!/bin/sh\nseq 1 ${half} | sed 's/.*/{"n":&}/'\nsleep 0.3\nseq ${half + 1} ${lines} | sed 's/.*/{"n":&}/'\necho '{"type":"result","subtype":"success","result":"ok"}'\n`);
  chmodSync(bin, 0o755);
  return bin;
}

describe('push, not tick', () => {
  it('reports started, ships every line and reports the end as the runner writes them, with no tick', async () => {
    const api = fakeApi();
    const turn = await Turn.launch({ config, post: api.post, logger: silent, tmux }, lease({ taskId: 'tsk_0000push0001', workdir: tmp.dir }), stubClaude(3000));
    turn.watch(() => undefined);
    await expect.poll(() => turn.done, { timeout: 20_000 }).toBe(true);
    const paths = api.calls.map((c) => c.path.split('/').at(-1));
    expect(paths[0]).toBe('started');
    expect(paths.at(-1)).toBe('finished');
    expect(api.ackSeq()).toBe(3001);
    const finished = api.calls.at(-1)!.body as TurnFinished;
    expect(finished).toMatchObject({ outcome: 'exited', exitCode: 0, lastSeq: 3001 });
    expect(finished.summary.result).toBe('ok');
  });
});
