import type { Logger } from 'pino';
import type { Tmux } from '../tmux.ts';
import type { ExitRecord, TurnRecord } from './layout.ts';
import type { Waits } from './wait-clock.ts';

export interface KillerDeps {
  record: TurnRecord;
  session: string;
  /** Seconds between SIGINT to claude and closing its tmux session. */
  graceSec: number;
  logger: Logger;
  tmux: Pick<Tmux, 'has' | 'kill'>;
  signal?: (pid: number, signal: NodeJS.Signals) => void;
  now?: () => number;
  /** Lets the runner write its own exit.json before the agent writes one for it. */
  pause?: (ms: number) => Promise<void>;
}

/**
 * Stops a turn: SIGINT to claude first, so it ends its session cleanly; past the grace period,
 * the tmux session goes (and the runner with it). Also enforces the lease's time limits. The
 * kill is in state.json, so the escalation survives an agent restart.
 */
export class Killer {
  private readonly tmux: Pick<Tmux, 'has' | 'kill'>;
  private readonly signal: (pid: number, signal: NodeJS.Signals) => void;
  private readonly now: () => number;
  private readonly pause: (ms: number) => Promise<void>;

  constructor(private readonly deps: KillerDeps) {
    this.tmux = deps.tmux;
    this.signal = deps.signal ?? ((pid, sig) => process.kill(pid, sig));
    this.now = deps.now ?? Date.now;
    this.pause = deps.pause ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /** SIGINT to claude now; `escalate` closes the session after the grace period. */
  kill(reason: string): void {
    const { record } = this.deps;
    if (record.state.killReason || record.files.hasExit()) return;
    record.update({ killReason: reason, killRequestedAt: this.now() });
    const pid = record.files.readPid();
    try {
      if (pid) this.signal(pid, 'SIGINT');
    } catch {
      // already gone
    }
    this.deps.logger.info({ taskId: record.state.lease.taskId, reason }, 'killing turn');
  }

  /**
   * Kills the turn when it ran past its lease's max duration or was silent past its idle timeout.
   * Time spent waiting on approvals counts for neither: the duration leaves it out, and the idle
   * clock stands still while one is waited on and starts again when it is answered.
   */
  enforceLimits(lastOutputAt: number, waits: Waits = { waitedMs: 0, waiting: false, endedAt: null }): void {
    const { maxDurationSec, idleTimeoutSec } = this.deps.record.state.lease;
    const now = this.now();
    const lastActiveAt = waits.waiting ? now : Math.max(lastOutputAt, waits.endedAt ?? 0);
    if (maxDurationSec && now - this.deps.record.state.launchedAt - waits.waitedMs > maxDurationSec * 1000) {
      this.kill(`max_duration: exceeded ${maxDurationSec}s`);
    } else if (idleTimeoutSec && now - lastActiveAt > idleTimeoutSec * 1000) {
      this.kill(`idle_timeout: no output for ${idleTimeoutSec}s`);
    }
  }

  /**
   * Past the grace period the session goes. A runner that vanished without writing exit.json
   * (machine restart, kill -9 of tmux) gets one written for it. Returns the exit once there is one.
   */
  async escalate(): Promise<ExitRecord | null> {
    const { record, session } = this.deps;
    const at = record.state.killRequestedAt;
    if (at !== null && this.now() - at > this.deps.graceSec * 1000) {
      await this.tmux.kill(session);
      await this.pause(200);
      record.files.recordExit({ exitCode: null, signal: 'SIGKILL' }, this.now());
      return record.files.readExit();
    }
    if (!(await this.tmux.has(session)) && !record.files.hasExit()) {
      await this.pause(300);
      record.files.recordExit({ exitCode: null, signal: 'SIGKILL' }, this.now());
      return record.files.readExit();
    }
    return null;
  }

  /** Closes the session at once, with no grace: the API no longer wants the turn. */
  async abandon(reason: string): Promise<void> {
    await this.tmux.kill(this.deps.session);
    this.deps.record.files.recordExit({ exitCode: null, signal: 'SIGHUP', spawnError: `abandoned: ${reason}` }, this.now());
  }

  /** Closes the session; nothing of the turn is left running. */
  async closeSession(): Promise<void> {
    await this.tmux.kill(this.deps.session);
  }
}
