import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AgentFiles, TurnFiles } from './layout.ts';
import { lease, tempDir, turnRecord } from './test-support.ts';

const tmp = tempDir();
afterAll(tmp.remove);

describe('turn layout', () => {
  it('never leaves half a state.json: a write torn midway keeps the previous state whole', () => {
    const record = turnRecord(tmp.dir, lease({ taskId: 'tsk_0000layout001' }));
    record.update({ ackSeq: 41 });
    const torn = (file: string, data: string) => {
      writeFileSync(file, data.slice(0, data.length / 2));
      throw new Error('ENOSPC: no space left on device');
    };
    expect(() => record.files.writeState({ ...record.state, ackSeq: 99 }, torn)).toThrow('ENOSPC');
    const onDisk = readFileSync(record.files.paths.state, 'utf8');
    expect(JSON.parse(onDisk)).toMatchObject({ ackSeq: 41 });
    expect(record.files.readState()!.ackSeq).toBe(41);
    // No temp file is left beside it either.
    expect(readdirSync(dirname(record.files.paths.state))).toEqual(['state.json']);
  });

  it('keeps the runner’s exit record: the agent’s own is written only when there is none', () => {
    const record = turnRecord(tmp.dir, lease({ taskId: 'tsk_0000layout002' }));
    record.files.recordExit({ exitCode: 0, signal: null }, 5);
    record.files.recordExit({ exitCode: null, signal: 'SIGKILL' }, 6);
    expect(record.files.readExit()).toEqual({ exitCode: 0, signal: null, endedAt: 5 });
  });

  it('moves an earlier attempt of a turn aside, and counts only the current one as the turn', () => {
    const l = lease({ taskId: 'tsk_0000layout003' });
    const first = turnRecord(tmp.dir, l);
    first.update({ reported: true, endedAt: 10 });
    writeFileSync(first.files.paths.output, 'old output\n');
    const again = turnRecord(tmp.dir, l);
    expect(again.files.outputSize()).toBeNull();
    const agent = new AgentFiles(tmp.dir);
    expect(agent.turnStates(l.taskId).map((s) => s?.reported)).toEqual([false]);
    expect(agent.stateFiles().filter((f) => f.includes(l.taskId))).toHaveLength(2);
  });

  it('finds every turn on disk, and forgets a task whole', () => {
    const dir = tempDir();
    try {
      turnRecord(dir.dir, lease({ taskId: 'tsk_0000layout004', turn: 1 }));
      turnRecord(dir.dir, lease({ taskId: 'tsk_0000layout004', turn: 2 }));
      turnRecord(dir.dir, lease({ taskId: 'tsk_0000layout005' }));
      const agent = new AgentFiles(dir.dir);
      expect(agent.taskIds().sort()).toEqual(['tsk_0000layout004', 'tsk_0000layout005']);
      expect(agent.stateFiles()).toHaveLength(3);
      agent.removeTask('tsk_0000layout004');
      expect(agent.taskIds()).toEqual(['tsk_0000layout005']);
      expect(new TurnFiles(dir.dir, 'tsk_0000layout004', 1).readState()).toBeNull();
    } finally {
      dir.remove();
    }
  });
});
