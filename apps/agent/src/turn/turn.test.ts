import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { TurnFinished } from '@switchyard/core';
import type { AgentConfig } from '../config.ts';
import { Turn, type TurnDeps } from './turn.ts';
import { apiError, fakeApi, lease, silent, tempDir, turnRecord } from './test-support.ts';

const tmp = tempDir();
afterAll(tmp.remove);

const config: AgentConfig = {
  url: 'http://api', token: 'sya_x', dir: tmp.dir, slots: 1, workdirRoots: ['/tmp'], claudeBin: null, simFallback: false,
  sessionRetentionSec: 1, dirRetentionSec: 1, maxOutputBytes: 1 << 20, killGraceSec: 10, logLevel: 'silent',
};

function fakeTmux() {
  const killed: string[] = [];
  return { killed, tmux: { has: async () => true, kill: async (s: string) => void killed.push(s), start: async () => null } };
}

/** A turn whose claude already ended with `output` on disk, as an agent restart finds it. */
function endedTurn(taskId: string, output: string[], deps: Omit<TurnDeps, 'config' | 'logger'>, started = true): Turn {
  const record = turnRecord(tmp.dir, lease({ taskId }), { startedReported: started });
  writeFileSync(record.files.paths.output, output.map((l) => `${l}\n`).join(''));
  record.files.recordExit({ exitCode: 0, signal: null }, 2_000);
  return Turn.adopt({ config, logger: silent, ...deps }, record.files.paths.state)!;
}

async function tickUntilDone(turn: Turn, max = 10): Promise<void> {
  for (let i = 0; i < max && !turn.done; i++) await turn.tick();
}

describe('turn', () => {
  it('resends from the API’s ackSeq when it answers output_incomplete, then reports the end once', async () => {
    const output = ['{"type":"system","subtype":"init"}', 'two', 'three', 'four', '{"type":"result","subtype":"success","result":"ok"}'];
    let finishedCalls = 0;
    const api = fakeApi((call) => {
      if (!call.path.endsWith('/finished') || ++finishedCalls > 1) return undefined;
      // The API lost lines 3..5 (say, a restore from backup) and refuses the end.
      for (const seq of [3, 4, 5]) api.stored.delete(seq);
      return apiError(409, 'output_incomplete', { ackSeq: 2 });
    });
    const { tmux } = fakeTmux();
    const turn = endedTurn('tsk_0000turn00001', output, { post: api.post, tmux });
    await tickUntilDone(turn);
    expect(turn.done).toBe(true);
    expect(api.batches()).toEqual([[1, 2, 3, 4, 5], [3, 4, 5]]);
    expect([...api.stored.entries()].sort(([a], [b]) => a - b).map(([, line]) => line)).toEqual(output);
    const finished = api.calls.filter((c) => c.path.endsWith('/finished')).map((c) => c.body as TurnFinished);
    expect(finished.map((f) => [f.outcome, f.lastSeq, f.summary.result])).toEqual([['exited', 5, 'ok'], ['exited', 5, 'ok']]);
    expect(JSON.parse(readFileSync(turn.paths.state, 'utf8'))).toMatchObject({ reported: true, ackSeq: 5, endedAt: 2_000 });
  });

  it('stops and ships nothing when the API no longer expects the turn', async () => {
    const api = fakeApi((call) => (call.path.endsWith('/started') ? apiError(409, 'turn_not_current') : undefined));
    const { tmux, killed } = fakeTmux();
    const turn = endedTurn('tsk_0000turn00002', ['one'], { post: api.post, tmux }, false);
    await tickUntilDone(turn);
    expect(turn.done).toBe(true);
    expect(api.batches()).toEqual([]);
    expect(killed).toEqual(['sy-tsk_0000turn00002']);
    expect(JSON.parse(readFileSync(turn.paths.state, 'utf8'))).toMatchObject({ dropped: true, reported: false });
  });

  it('reports a killed turn as killed, with its reason, its session already closed', async () => {
    const { tmux, killed } = fakeTmux();
    let closedWhenReported: string[] = [];
    const api = fakeApi((call) => void (call.path.endsWith('/finished') && (closedWhenReported = [...killed])));
    const signals: string[] = [];
    const record = turnRecord(tmp.dir, lease({ taskId: 'tsk_0000turn00003' }), { startedReported: true });
    writeFileSync(record.files.paths.pid, JSON.stringify({ pid: 4242 }));
    writeFileSync(record.files.paths.output, 'one\n');
    const turn = Turn.adopt({ config, logger: silent, post: api.post, tmux, signal: (pid, sig) => void signals.push(`${sig} ${pid}`) }, record.files.paths.state)!;
    turn.kill('user asked');
    expect(signals).toEqual(['SIGINT 4242']);
    // claude ends on the SIGINT; the runner records it.
    record.files.recordExit({ exitCode: 130, signal: null });
    await tickUntilDone(turn);
    const finished = api.calls.find((c) => c.path.endsWith('/finished'))!.body as TurnFinished;
    expect(finished).toMatchObject({ outcome: 'killed', reason: 'user asked', exitCode: 130, lastSeq: 1 });
    // Once the API says "killed", nothing of the turn is left running.
    expect(closedWhenReported).toEqual(['sy-tsk_0000turn00003']);
    expect(killed).toEqual(['sy-tsk_0000turn00003']);
  });
});
