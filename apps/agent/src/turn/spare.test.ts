// A runner started ahead of the lease takes the turn: no tmux session and no Node process is
// started while the task waits for its first line.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RUNNER_BIN } from './launcher.ts';
import { Spares } from './spare.ts';
import { Turn } from './turn.ts';
import { agentConfig, fakeApi, lease, silent, useAgentDir } from './test-support.ts';

const tmp = useAgentDir();
const tmux = tmp.tmux;
const config = agentConfig(tmp.dir, { maxOutputBytes: 1 << 20 });
const newSpares = () => new Spares({ dir: tmp.dir, tmux, runner: [process.execPath, RUNNER_BIN] });
const spareSessions = async () => (await tmux.list()).filter((s) => s.startsWith('sy-spare-'));
const panePid = (session: string) => Number(execFileSync('tmux', ['-S', tmux.socket, 'list-panes', '-t', `=${session}:`, '-F', '#{pane_pid}'], { encoding: 'utf8' }).trim());

describe('spare runners', () => {
  it('runs a turn in the runner that was already waiting, under the turn’s session name, and starts the next', async () => {
    const spares = newSpares();
    await spares.start();
    await expect.poll(() => spares.ready, { timeout: 20_000 }).toBe(true);
    const [waiting] = await spareSessions();
    const runnerPid = panePid(waiting!);
    const claude = join(tmp.dir, 'claude');
    writeFileSync(claude, '#!/bin/sh\necho \'{"type":"result","subtype":"success","result":"from the spare"}\'\n');
    chmodSync(claude, 0o755);
    const api = fakeApi();
    const turn = await Turn.launch({ config, post: api.post, logger: silent, tmux, spare: spares }, lease({ taskId: 'tsk_0000spar0001', workdir: tmp.dir }), claude);
    await expect.poll(() => turn.paths && turn.state && readFileSync(turn.paths.output, 'utf8'), { timeout: 10_000 }).toContain('from the spare');
    // The runner that ran it is the one that waited before the lease came.
    await expect.poll(() => JSON.parse(readFileSync(turn.paths.pid, 'utf8')).runnerPid as number).toBe(runnerPid);
    await spares.settled('sy-tsk_0000spar0001');
    expect(await tmux.has('sy-tsk_0000spar0001')).toBe(true);
    await expect.poll(() => spares.ready, { timeout: 20_000 }).toBe(true);
    expect(await spareSessions()).not.toContain(waiting);
    expect(await spareSessions()).toHaveLength(1);
    await spares.close();
    expect(await spareSessions()).toEqual([]);
  });

  it('an agent that starts again replaces the spares of the one before', async () => {
    const before = newSpares();
    await before.start();
    await expect.poll(() => spareSessions()).toHaveLength(1);
    const [old] = await spareSessions();
    const after = newSpares();
    await after.start();
    await expect.poll(() => after.ready, { timeout: 20_000 }).toBe(true);
    const now = await spareSessions();
    expect(now).toHaveLength(1);
    expect(now).not.toContain(old);
    await after.close();
  });

  it('a spare whose agent was killed outright ends by itself and leaves no pane', async () => {
    const agent = spawn('sleep', ['60']);
    const socket = join(tmp.dir, 'orphan.sock');
    expect(await tmux.start('sy-spare-orphan', tmp.dir, [process.execPath, RUNNER_BIN, '--spare', socket, String(agent.pid)])).toBeNull();
    await expect.poll(() => existsSync(socket), { timeout: 20_000 }).toBe(true);
    agent.kill('SIGKILL');
    await expect.poll(() => tmux.has('sy-spare-orphan'), { timeout: 20_000 }).toBe(false);
    expect(existsSync(socket)).toBe(false);
  });
});
