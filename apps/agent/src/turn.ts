import { closeSync, existsSync, openSync, readSync, renameSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import {
  buildClaudeArgs,
  classifyTurn,
  EventsAckSchema,
  MAX_OUTPUT_LINE_BYTES,
  tmuxSessionName,
  TurnClassifier,
  type Lease,
  type OutputLine,
  type RunningTurn,
  type TurnFinished,
} from '@switchyard/core';
import { z } from 'zod';
import { ApiError, type ApiPost } from './api-client.ts';
import type { AgentConfig } from './config.ts';
import { tmux } from './tmux.ts';
import { ensureDir, readJson, turnPaths, writeJsonAtomic, type ExitRecord, type RunnerSpec, type TurnPaths } from './turn-files.ts';

const RUNNER_BIN = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'switchyard-runner.js');
const BATCH_LINES = 500;
const BATCH_BYTES = 512 * 1024;
const READ_CHUNK = 1024 * 1024;
const Ok = z.object({}).passthrough();

export interface TurnDeps {
  config: AgentConfig;
  post: ApiPost;
  logger: Logger;
  /** Called once the end of the turn is stored: its slot is free. */
  onFinished?: () => void;
}

/** What survives an agent restart, in state.json beside the turn's output. */
export interface TurnState {
  lease: Lease;
  /** Highest seq the API acknowledged. */
  ackSeq: number;
  launchedAt: number;
  startedReported: boolean;
  killReason: string | null;
  killRequestedAt: number | null;
  reported: boolean;
  dropped: boolean;
  endedAt: number | null;
}

/**
 * One turn of a task on this machine: launched in tmux, its output tailed and shipped in
 * order, its end reported once every line is acknowledged. Everything it must not forget is
 * on disk, so a new agent process picks it up where the old one stopped.
 */
export class Turn {
  readonly session: string;
  readonly paths: TurnPaths;
  private classifier = new TurnClassifier();
  private pending: OutputLine[] = [];
  private offset = 0;
  private carry = Buffer.alloc(0);
  private nextSeq: number;
  private lastOutputAt: number;
  private busy = false;

  private constructor(
    private readonly deps: TurnDeps,
    readonly state: TurnState,
  ) {
    this.session = tmuxSessionName(state.lease.taskId);
    this.paths = turnPaths(deps.config.dir, state.lease.taskId, state.lease.turn);
    this.nextSeq = state.lease.startSeq;
    this.lastOutputAt = state.launchedAt;
  }

  get taskId(): string {
    return this.state.lease.taskId;
  }

  get done(): boolean {
    return this.state.reported || this.state.dropped;
  }

  exitRecord(): ExitRecord | null {
    return readJson<ExitRecord>(this.paths.exit);
  }

  running(): RunningTurn {
    return { taskId: this.taskId, turn: this.state.lease.turn, ackSeq: this.state.ackSeq, alive: !existsSync(this.paths.exit) };
  }

  /** A new turn from a lease: files written, tmux session started (or the spawn failure recorded). */
  static async launch(deps: TurnDeps, lease: Lease, claudeBin: string | null): Promise<Turn> {
    const paths = turnPaths(deps.config.dir, lease.taskId, lease.turn);
    // A retry of the same turn (after a rate limit or a failed spawn) starts on a fresh file:
    // the earlier attempt's output is already stored and must not be shipped again.
    if (existsSync(paths.root)) renameSync(paths.root, `${paths.root}.attempt-${Date.now()}`);
    ensureDir(paths.root);
    const turn = new Turn(deps, {
      lease,
      ackSeq: lease.startSeq - 1,
      launchedAt: Date.now(),
      startedReported: false,
      killReason: null,
      killRequestedAt: null,
      reported: false,
      dropped: false,
      endedAt: null,
    });
    turn.save();
    const problem = turn.checkWorkdir() ?? (claudeBin ? null : 'no usable claude binary on this agent');
    if (problem) {
      turn.recordExit({ exitCode: null, signal: null, spawnError: problem });
      return turn;
    }
    const spec: RunnerSpec = {
      claudeBin: claudeBin!,
      args: buildClaudeArgs(lease),
      paths,
      maxOutputBytes: deps.config.maxOutputBytes,
      maxLineBytes: MAX_OUTPUT_LINE_BYTES,
    };
    writeJsonAtomic(paths.spec, spec);
    // A finished session of an earlier turn of the same task still holds the name.
    if (await tmux.has(turn.session)) await tmux.kill(turn.session);
    const error = await tmux.start(turn.session, lease.workdir, [process.execPath, RUNNER_BIN, paths.spec]);
    if (error) turn.recordExit({ exitCode: null, signal: null, spawnError: `tmux could not start: ${error}` });
    return turn;
  }

  /** A turn found on disk after a restart. */
  static adopt(deps: TurnDeps, stateFile: string): Turn | null {
    const state = readJson<TurnState>(stateFile);
    if (!state || state.reported || state.dropped) return null;
    const turn = new Turn(deps, state);
    return turn;
  }

  /** The state of a turn on disk, without taking it over. */
  static peek(stateFile: string): TurnState | null {
    return readJson<TurnState>(stateFile);
  }

  private checkWorkdir(): string | null {
    const dir = this.state.lease.workdir;
    const inside = this.deps.config.workdirRoots.some((r) => r === '/' || dir === r || dir.startsWith(`${r}/`));
    if (!inside) return `workdir ${dir} is outside this agent's roots (${this.deps.config.workdirRoots.join(', ')})`;
    try {
      if (!statSync(dir).isDirectory()) return `workdir ${dir} is not a directory`;
    } catch {
      return `workdir ${dir} does not exist on this machine`;
    }
    return null;
  }

  private save(): void {
    writeJsonAtomic(this.paths.state, this.state);
  }

  private recordExit(record: Omit<ExitRecord, 'endedAt'>): void {
    if (!existsSync(this.paths.exit)) writeJsonAtomic(this.paths.exit, { ...record, endedAt: Date.now() });
  }

  /** Stops the turn: SIGINT to claude now, the tmux session after the grace period. */
  kill(reason: string): void {
    if (this.state.killReason || existsSync(this.paths.exit)) return;
    this.state.killReason = reason;
    this.state.killRequestedAt = Date.now();
    this.save();
    const pid = readJson<{ pid: number }>(this.paths.pid)?.pid;
    try {
      if (pid) process.kill(pid, 'SIGINT');
    } catch {
      // already gone
    }
    this.deps.logger.info({ taskId: this.taskId, reason }, 'killing turn');
  }

  /** The API no longer wants this turn: stop it and report nothing more. */
  async abandon(reason: string): Promise<void> {
    this.deps.logger.warn({ taskId: this.taskId, reason }, 'abandoning turn');
    this.state.dropped = true;
    this.state.endedAt = Date.now();
    this.save();
    await tmux.kill(this.session);
    this.recordExit({ exitCode: null, signal: 'SIGHUP', spawnError: `abandoned: ${reason}` });
  }

  /** One step: read new output, enforce limits, ship, and report the end when all is shipped. */
  async tick(): Promise<void> {
    if (this.busy || this.done) return;
    this.busy = true;
    try {
      await this.reportStarted();
      if (this.done) return;
      let exit = this.exitRecord();
      this.read(exit !== null);
      if (!exit) {
        this.enforceLimits();
        exit = await this.escalateKill();
      }
      await this.ship();
      if (exit && this.pending.length === 0 && this.offsetAtEnd()) await this.report(exit);
    } finally {
      this.busy = false;
    }
  }

  private async reportStarted(): Promise<void> {
    if (this.state.startedReported || (existsSync(this.paths.exit) && this.exitRecord()?.spawnError)) return;
    try {
      await this.deps.post(`/tasks/${this.taskId}/started`, { turn: this.state.lease.turn, tmuxSession: this.session }, Ok);
      this.state.startedReported = true;
      this.save();
    } catch (err) {
      if (err instanceof ApiError && (err.code === 'turn_not_current' || err.status === 404)) {
        await this.abandon('the API no longer expects this turn');
        return;
      }
      throw err;
    }
  }

  private offsetAtEnd(): boolean {
    try {
      return this.offset >= statSync(this.paths.output).size && this.carry.length === 0;
    } catch {
      return true;
    }
  }

  /** Reads complete lines past the offset; after exit, a final unterminated line too. */
  private read(exited: boolean): void {
    let fd: number;
    try {
      fd = openSync(this.paths.output, 'r');
    } catch {
      return;
    }
    try {
      const buf = Buffer.alloc(READ_CHUNK);
      for (let i = 0; i < 16; i++) {
        const n = readSync(fd, buf, 0, READ_CHUNK, this.offset);
        if (n <= 0) break;
        this.offset += n;
        let data = Buffer.concat([this.carry, buf.subarray(0, n)]);
        let nl: number;
        while ((nl = data.indexOf(0x0a)) >= 0) {
          this.take(data.subarray(0, nl).toString('utf8'));
          data = data.subarray(nl + 1);
        }
        this.carry = Buffer.from(data);
        if (this.pending.length > 20 * BATCH_LINES) break;
      }
    } finally {
      closeSync(fd);
    }
    if (exited && this.carry.length > 0 && this.offsetAtEndIgnoringCarry()) {
      this.take(this.carry.toString('utf8'));
      this.carry = Buffer.alloc(0);
    }
  }

  private offsetAtEndIgnoringCarry(): boolean {
    try {
      return this.offset >= statSync(this.paths.output).size;
    } catch {
      return true;
    }
  }

  private take(line: string): void {
    const seq = this.nextSeq++;
    this.classifier.push(line);
    this.lastOutputAt = Date.now();
    if (seq > this.state.ackSeq) this.pending.push({ seq, ts: Date.now(), line });
  }

  private enforceLimits(): void {
    const { maxDurationSec, idleTimeoutSec } = this.state.lease;
    const now = Date.now();
    if (maxDurationSec && now - this.state.launchedAt > maxDurationSec * 1000) {
      this.kill(`max_duration: exceeded ${maxDurationSec}s`);
    } else if (idleTimeoutSec && now - this.lastOutputAt > idleTimeoutSec * 1000) {
      this.kill(`idle_timeout: no output for ${idleTimeoutSec}s`);
    }
  }

  /** Past the kill grace period, the session goes; a runner that died leaves no exit.json. */
  private async escalateKill(): Promise<ExitRecord | null> {
    const at = this.state.killRequestedAt;
    if (at !== null && Date.now() - at > this.deps.config.killGraceSec * 1000) {
      await tmux.kill(this.session);
      await new Promise((r) => setTimeout(r, 200));
      this.recordExit({ exitCode: null, signal: 'SIGKILL' });
      return this.exitRecord();
    }
    if (!(await tmux.has(this.session)) && !existsSync(this.paths.exit)) {
      // The runner vanished without a record (machine restart, kill -9 of tmux): say so.
      await new Promise((r) => setTimeout(r, 300));
      if (!existsSync(this.paths.exit)) this.recordExit({ exitCode: null, signal: 'SIGKILL' });
      return this.exitRecord();
    }
    return null;
  }

  /** Ships pending lines in batches; the API's ackSeq says where to resume. */
  private async ship(): Promise<void> {
    while (this.pending.length > 0) {
      const batch: OutputLine[] = [];
      let bytes = 0;
      for (const l of this.pending) {
        if (batch.length >= BATCH_LINES || (batch.length > 0 && bytes + l.line.length > BATCH_BYTES)) break;
        batch.push(l);
        bytes += l.line.length + 40;
      }
      const { ackSeq } = await this.deps.post(`/tasks/${this.taskId}/events`, { turn: this.state.lease.turn, lines: batch }, EventsAckSchema);
      this.acknowledge(ackSeq);
      if (ackSeq < batch.at(-1)!.seq) {
        // The API is missing an earlier line (it lost a write): resend from there.
        this.rewind(ackSeq);
        return;
      }
    }
  }

  private acknowledge(ackSeq: number): void {
    if (ackSeq > this.state.ackSeq) {
      this.state.ackSeq = ackSeq;
      this.save();
    }
    this.pending = this.pending.filter((l) => l.seq > this.state.ackSeq);
  }

  /** Starts reading the file over, so lines after `ackSeq` are sent again. */
  private rewind(ackSeq: number): void {
    this.state.ackSeq = Math.min(this.state.ackSeq, ackSeq);
    this.save();
    this.pending = [];
    this.offset = 0;
    this.carry = Buffer.alloc(0);
    this.nextSeq = this.state.lease.startSeq;
    this.classifier = new TurnClassifier();
  }

  private async report(exit: ExitRecord): Promise<void> {
    const summary = this.classifier.summary();
    const lastSeq = this.nextSeq - 1;
    let outcome: TurnFinished['outcome'];
    if (this.state.killReason) outcome = 'killed';
    else if (exit.spawnError) outcome = 'spawn_failed';
    else outcome = classifyTurn(summary, exit.exitCode) === 'rate_limited' ? 'rate_limited' : 'exited';
    const body: TurnFinished = {
      turn: this.state.lease.turn,
      outcome,
      exitCode: exit.exitCode,
      signal: exit.signal,
      lastSeq,
      summary,
      reason: this.state.killReason ?? exit.spawnError ?? null,
      stderrTail: this.stderrTail(),
    };
    try {
      await this.deps.post(`/tasks/${this.taskId}/finished`, body, Ok);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'output_incomplete') {
        this.rewind(Number(err.details.ackSeq ?? this.state.lease.startSeq - 1));
        return;
      }
      if (err instanceof ApiError && (err.code === 'turn_not_current' || err.status === 404)) {
        this.state.dropped = true;
        this.save();
        return;
      }
      throw err;
    }
    this.state.reported = true;
    this.state.endedAt = exit.endedAt;
    this.save();
    this.deps.onFinished?.();
    this.deps.logger.info({ taskId: this.taskId, turn: this.state.lease.turn, outcome, exitCode: exit.exitCode, lines: lastSeq - this.state.lease.startSeq + 1 }, 'turn finished');
    // A killed turn leaves nothing running; a finished pane stays for whoever wants to look.
    if (outcome === 'killed' || outcome === 'spawn_failed') await tmux.kill(this.session);
  }

  private stderrTail(): string | null {
    try {
      const size = statSync(this.paths.stderr).size;
      if (size === 0) return null;
      const fd = openSync(this.paths.stderr, 'r');
      const len = Math.min(size, 8192);
      const buf = Buffer.alloc(len);
      readSync(fd, buf, 0, len, size - len);
      closeSync(fd);
      return buf.toString('utf8');
    } catch {
      return null;
    }
  }
}

export function stateFilesUnder(dir: string, list: (d: string) => string[]): string[] {
  const out: string[] = [];
  const tasks = join(dir, 'tasks');
  for (const task of safe(() => list(tasks))) {
    for (const n of safe(() => list(join(tasks, task, 'turns')))) {
      const file = join(tasks, task, 'turns', n, 'state.json');
      if (existsSync(file)) out.push(file);
    }
  }
  return out;
}

function safe(fn: () => string[]): string[] {
  try {
    return fn();
  } catch {
    return [];
  }
}
