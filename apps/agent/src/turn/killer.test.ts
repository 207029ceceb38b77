import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { Killer } from './killer.ts';
import { TurnFiles, TurnRecord } from './layout.ts';
import { WaitClock } from './wait-clock.ts';
import { lease, silent, tempDir, turnRecord } from './test-support.ts';

const tmp = tempDir();
afterAll(tmp.remove);
let n = 0;

/** A running turn whose claude has pid 4242, a tmux that holds its session, and a clock. */
function setup(opts: { maxDurationSec?: number; idleTimeoutSec?: number } = {}) {
  const l = lease({ taskId: `tsk_0000kill${String(++n).padStart(4, '0')}`, maxDurationSec: opts.maxDurationSec ?? null, idleTimeoutSec: opts.idleTimeoutSec ?? null });
  const record = turnRecord(tmp.dir, l, { launchedAt: 0 });
  writeFileSync(record.files.paths.pid, JSON.stringify({ pid: 4242, runnerPid: 4241 }));
  const world = { now: 0, sessions: new Set([`sy-${l.taskId}`]), signals: [] as string[], tmuxKills: [] as string[] };
  const killer = (r: TurnRecord = record) =>
    new Killer({
      record: r,
      session: `sy-${l.taskId}`,
      graceSec: 10,
      logger: silent,
      now: () => world.now,
      pause: async () => undefined,
      signal: (pid, sig) => void world.signals.push(`${sig} ${pid}`),
      tmux: {
        has: async (s) => world.sessions.has(s),
        kill: async (s) => {
          world.tmuxKills.push(s);
          world.sessions.delete(s);
        },
      },
    });
  return { record, world, killer, session: `sy-${l.taskId}` };
}

describe('killer', () => {
  it('sends SIGINT to claude first, and closes the session only after the grace period', async () => {
    const { record, world, killer, session } = setup();
    const k = killer();
    k.kill('user asked');
    expect(world.signals).toEqual(['SIGINT 4242']);
    expect(record.files.readState()).toMatchObject({ killReason: 'user asked', killRequestedAt: 0 });
    world.now = 9_000;
    expect(await k.escalate()).toBeNull();
    expect(world.tmuxKills).toEqual([]);
    world.now = 10_001;
    expect(await k.escalate()).toMatchObject({ exitCode: null, signal: 'SIGKILL', endedAt: 10_001 });
    expect(world.tmuxKills).toEqual([session]);
  });

  it('does not signal again when asked twice, nor once claude has ended', () => {
    const { record, world, killer } = setup();
    const k = killer();
    k.kill('first');
    k.kill('second');
    expect(world.signals).toHaveLength(1);
    expect(record.state.killReason).toBe('first');
    const other = setup();
    other.record.files.recordExit({ exitCode: 0, signal: null });
    other.killer().kill('too late');
    expect(other.world.signals).toEqual([]);
  });

  it('escalates after an agent restart: the kill is remembered on disk', async () => {
    const { record, world, killer, session } = setup();
    killer().kill('user asked');
    const files = new TurnFiles(tmp.dir, record.state.lease.taskId, record.state.lease.turn);
    const restarted = killer(new TurnRecord(files, files.readState()!));
    world.now = 11_000;
    expect(await restarted.escalate()).toMatchObject({ signal: 'SIGKILL' });
    expect(world.tmuxKills).toEqual([session]);
  });

  it('writes the exit for a runner that vanished without one', async () => {
    const { world, killer, session } = setup();
    world.sessions.delete(session);
    expect(await killer().escalate()).toMatchObject({ exitCode: null, signal: 'SIGKILL' });
  });

  it('kills a turn past its max duration or silent past its idle timeout', () => {
    const long = setup({ maxDurationSec: 60 });
    long.world.now = 59_000;
    long.killer().enforceLimits(59_000);
    expect(long.world.signals).toEqual([]);
    long.world.now = 61_000;
    long.killer().enforceLimits(61_000);
    expect(long.record.files.readState()!.killReason).toBe('max_duration: exceeded 60s');
    const idle = setup({ idleTimeoutSec: 5 });
    idle.world.now = 7_000;
    idle.killer().enforceLimits(1_000);
    expect(idle.world.signals).toEqual(['SIGINT 4242']);
    expect(idle.record.files.readState()!.killReason).toBe('idle_timeout: no output for 5s');
  });

  it('does not count time spent waiting on an approval toward the idle timeout or the max duration', () => {
    // Silent for 10 minutes while a person decides: neither limit is reached.
    const t = setup({ maxDurationSec: 120, idleTimeoutSec: 30 });
    const clock = new WaitClock(t.record, () => t.world.now);
    t.world.now = 10_000;
    clock.begin();
    t.world.now = 610_000;
    t.killer().enforceLimits(10_000, clock.snapshot());
    expect(t.world.signals).toEqual([]);
    clock.end();
    // Answered: the idle clock starts from the answer, the duration goes on from where it stood.
    t.world.now = 635_000;
    t.killer().enforceLimits(10_000, clock.snapshot());
    expect(t.world.signals).toEqual([]);
    t.world.now = 641_000;
    t.killer().enforceLimits(10_000, clock.snapshot());
    expect(t.record.files.readState()!.killReason).toBe('idle_timeout: no output for 30s');
    const long = setup({ maxDurationSec: 120 });
    const waits = new WaitClock(long.record, () => long.world.now);
    long.world.now = 100_000;
    waits.begin();
    long.world.now = 700_000;
    waits.end();
    long.world.now = 719_000; // 119 s of running, 600 s of waiting
    long.killer().enforceLimits(719_000, waits.snapshot());
    expect(long.world.signals).toEqual([]);
    long.world.now = 721_000;
    long.killer().enforceLimits(721_000, waits.snapshot());
    expect(long.record.files.readState()!.killReason).toBe('max_duration: exceeded 120s');
  });

  it('keeps the time waited across an agent restart, a wait still open included', () => {
    const t = setup({ maxDurationSec: 120 });
    const before = new WaitClock(t.record, () => t.world.now);
    t.world.now = 50_000;
    before.begin();
    t.world.now = 650_000; // the agent stops here, mid-wait
    const files = new TurnFiles(tmp.dir, t.record.state.lease.taskId, t.record.state.lease.turn);
    const adopted = new TurnRecord(files, files.readState()!);
    const after = new WaitClock(adopted, () => t.world.now);
    expect(after.snapshot()).toEqual({ waitedMs: 600_000, waiting: false, endedAt: 650_000 });
    t.world.now = 660_000;
    t.killer(adopted).enforceLimits(660_000, after.snapshot());
    expect(t.world.signals).toEqual([]);
  });
});
