import { watch, type FSWatcher } from 'node:fs';
import type { Logger } from 'pino';
import { tmuxSessionName, TurnClassifier, type Lease, type RunningTurn, type TurnSummary } from '@switchyard/core';
import type { ApiPost } from '../api-client.ts';
import type { AgentConfig } from '../config.ts';
import { createTmux, tmuxSocketPath, type Tmux } from '../tmux.ts';
import { Killer } from './killer.ts';
import { launchTurn } from './launcher.ts';
import { readJson, TurnFiles, TurnRecord, type ExitRecord, type TurnPaths, type TurnState } from './layout.ts';
import { finishedBody, reportFinished, reportStarted } from './reporter.ts';
import { Shipper } from './shipper.ts';
import type { Spares } from './spare.ts';
import { Tailer } from './tailer.ts';
import { WaitClock } from './wait-clock.ts';

export interface TurnDeps {
  config: AgentConfig;
  post: ApiPost;
  logger: Logger;
  /** Called once the end of the turn is stored: its slot is free. */
  onFinished?: (summary: TurnSummary) => void;
  /** tmux (the agent's private server by default) and signals, replaceable in tests. */
  tmux?: Pick<Tmux, 'has' | 'kill' | 'start'>;
  signal?: (pid: number, signal: NodeJS.Signals) => void;
  /** Runners started ahead of leases. */
  spare?: Pick<Spares, 'take' | 'settled'>;
}

/** The tmux a turn uses: the one it was given, else the agent's private server. */
function turnTmux(deps: TurnDeps): Pick<Tmux, 'has' | 'kill' | 'start'> {
  return deps.tmux ?? createTmux(tmuxSocketPath(deps.config.dir));
}

/** The tmux calls on a turn's own session, each after a spare that took it has its name. */
function sessionTmux(deps: TurnDeps): Pick<Tmux, 'has' | 'kill'> {
  const tmux = turnTmux(deps);
  const settled = (session: string) => deps.spare?.settled(session) ?? Promise.resolve();
  return {
    has: async (session) => (await settled(session), tmux.has(session)),
    kill: async (session) => (await settled(session), tmux.kill(session)),
  };
}

/**
 * One turn of a task on this machine: launched in tmux, its output tailed and shipped in
 * order, its end reported once every line is acknowledged. Everything it must not forget is
 * on disk, so a new agent process picks it up where the old one stopped.
 */
export class Turn {
  readonly session: string;
  private readonly files: TurnFiles;
  private readonly tailer: Tailer;
  private readonly shipper: Shipper;
  private readonly killer: Killer;
  /** Time spent waiting on approvals, which the time limits leave out. */
  readonly waits: WaitClock;
  private classifier = new TurnClassifier();
  private nextSeq: number;
  private lastOutputAt: number;
  private busy = false;
  /** Something happened while a step ran: step again. */
  private again = false;
  private fullWanted = false;
  /** A watch-driven step failed: wait for the tick. */
  private held = false;
  private watcher: FSWatcher | null = null;
  private sessionClosed = false;

  private constructor(
    private readonly deps: TurnDeps,
    private readonly record: TurnRecord,
  ) {
    const { state } = record;
    this.session = tmuxSessionName(state.lease.taskId);
    this.files = record.files;
    this.tailer = new Tailer(this.files.paths.output);
    this.shipper = new Shipper(deps.post, this.record);
    this.killer = new Killer({ record: this.record, session: this.session, graceSec: deps.config.killGraceSec, logger: deps.logger, tmux: sessionTmux(deps), signal: deps.signal });
    this.waits = new WaitClock(record);
    this.nextSeq = state.lease.startSeq;
    this.lastOutputAt = state.launchedAt;
  }

  /** A new turn from a lease: files written, tmux session started (or the spawn failure recorded). */
  static async launch(deps: TurnDeps, lease: Lease, claudeBin: string | null, refusal: string | null = null): Promise<Turn> {
    return new Turn(deps, await launchTurn({ config: deps.config, tmux: turnTmux(deps), spare: deps.spare }, lease, claudeBin, refusal));
  }

  /** A turn found on disk after a restart; null when it needs nothing more. */
  static adopt(deps: TurnDeps, stateFile: string): Turn | null {
    const state = readJson<TurnState>(stateFile);
    if (!state || state.reported || state.dropped) return null;
    // Paths come from the lease, wherever state.json was found.
    return new Turn(deps, new TurnRecord(new TurnFiles(deps.config.dir, state.lease.taskId, state.lease.turn), state));
  }

  get paths(): TurnPaths {
    return this.files.paths;
  }

  get state(): TurnState {
    return this.record.state;
  }

  get taskId(): string {
    return this.state.lease.taskId;
  }

  get done(): boolean {
    return this.state.reported || this.state.dropped;
  }

  running(): RunningTurn {
    return { taskId: this.taskId, turn: this.state.lease.turn, ackSeq: this.state.ackSeq, alive: !this.files.hasExit() };
  }

  /** Stops the turn: SIGINT to claude now, the tmux session after the grace period. */
  kill(reason: string): void {
    this.killer.kill(reason);
  }

  /** The API no longer wants this turn: stop it and report nothing more. */
  async abandon(reason: string): Promise<void> {
    this.deps.logger.warn({ taskId: this.taskId, reason }, 'abandoning turn');
    this.record.update({ dropped: true, endedAt: Date.now() });
    await this.killer.abandon(reason);
  }

  /**
   * The safety net, on the agent's slow tick: enforce the time limits, close the session past a
   * kill's grace, notice a runner that vanished, then step. Also retries what failed.
   */
  async tick(): Promise<void> {
    this.held = false;
    await this.run(true);
  }

  /**
   * Follows the turn's directory: a pid, an output line or exit.json written by the runner
   * steps the turn at once, with no wait for the next tick. (A watch can miss events, which
   * the tick catches.)
   */
  watch(onError: (err: unknown) => void): void {
    if (this.watcher || this.done) return;
    const poke = () => {
      if (this.held) return;
      this.run(false).catch((err: unknown) => {
        // Until the next tick: a failing API is not hammered at the pace output is written.
        this.held = true;
        onError(err);
      });
    };
    try {
      this.watcher = watch(this.files.paths.root, poke);
      this.watcher.on('error', () => this.unwatch());
    } catch {
      return; // no watch (inotify limits): the tick still steps the turn
    }
    poke();
  }

  unwatch(): void {
    this.watcher?.close();
    this.watcher = null;
  }

  /** Steps until nothing new came in meanwhile; one step at a time. */
  private async run(full: boolean): Promise<void> {
    // A tick asked for while a step runs is not lost: output that never stops must not keep a
    // kill from escalating.
    if (full) this.fullWanted = true;
    if (this.done) return this.unwatch();
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    try {
      do {
        this.again = false;
        const wanted = this.fullWanted;
        this.fullWanted = false;
        await this.step(wanted);
      } while (this.again && !this.done);
    } finally {
      this.busy = false;
      if (this.done) this.unwatch();
    }
  }

  /** One step: read new output, enforce limits (when `full`), ship, and report the end when all is shipped. */
  private async step(full: boolean): Promise<void> {
    await this.reportStarted();
    if (this.done) return;
    let exit = this.files.readExit();
    // Until claude runs there is no output, and no line may reach the API before `started`.
    if (this.state.startedReported || exit) {
      // Nothing more is read while enough waits to be shipped (the API may be away a while);
      // lines read, or left unread, mean another step once these are shipped.
      const backlog = this.shipper.full;
      if (backlog || this.tailer.read((line) => this.take(line), { final: exit !== null, enough: () => this.shipper.full }) > 0) this.again = true;
    }
    if (full && !exit) {
      this.killer.enforceLimits(this.lastOutputAt, this.waits.snapshot());
      exit = await this.killer.escalate();
    }
    if ((await this.shipper.ship()) !== null) {
      // The API is missing an earlier line (it lost a write); the shipper now resends after
      // the API's ackSeq, from output read again (at the next event or tick: an API that keeps
      // answering short is not asked again in a tight loop).
      this.readAgain();
      return;
    }
    if (exit && this.shipper.idle && this.tailer.atEnd()) await this.report(exit);
  }

  /**
   * `started` goes out once claude runs (the runner wrote its pid) or ended: a turn whose spawn
   * failed never started, so its retry opens the session afresh instead of resuming one that
   * was never made.
   */
  private async reportStarted(): Promise<void> {
    if (this.state.startedReported) return;
    const exit = this.files.readExit();
    if (exit?.spawnError || (!exit && this.files.readPid() === null)) return;
    const answer = await reportStarted(this.deps.post, this.state, this.session);
    if (answer.kind === 'not_current') await this.abandon('the API no longer expects this turn');
    else this.record.update({ startedReported: true });
  }

  private take(line: string): void {
    const seq = this.nextSeq++;
    this.classifier.push(line);
    this.lastOutputAt = Date.now();
    this.shipper.offer({ seq, ts: Date.now(), line });
  }

  /**
   * Reads the output again from its start: seqs and the summary are rebuilt, and the shipper
   * skips what the API already holds.
   */
  private readAgain(): void {
    this.tailer.reset();
    this.nextSeq = this.state.lease.startSeq;
    this.classifier = new TurnClassifier();
  }

  private async report(exit: ExitRecord): Promise<void> {
    const lastSeq = this.nextSeq - 1;
    const body = finishedBody(this.state, exit, this.classifier.summary(), lastSeq, this.files.stderrTail());
    // A killed turn leaves nothing running, and that is already true once the API says it ended;
    // a finished pane stays for whoever wants to look.
    if ((body.outcome === 'killed' || body.outcome === 'spawn_failed') && !this.sessionClosed) {
      await this.killer.closeSession();
      this.sessionClosed = true;
    }
    const answer = await reportFinished(this.deps.post, this.state, body);
    if (answer.kind === 'rewind') {
      this.shipper.rewind(answer.ackSeq);
      return this.readAgain();
    }
    if (answer.kind === 'not_current') return this.record.update({ dropped: true });
    this.record.update({ reported: true, endedAt: exit.endedAt });
    this.deps.onFinished?.(body.summary);
    const lines = lastSeq - this.state.lease.startSeq + 1;
    this.deps.logger.info({ taskId: this.taskId, turn: this.state.lease.turn, outcome: body.outcome, exitCode: exit.exitCode, lines }, 'turn finished');
  }
}
