import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import {
  AgentErrorCodes,
  AgentRegisterResponseSchema,
  classifyTurn,
  isTaskId,
  type AgentCommand,
  type TurnSummary,
} from '@switchyard/core';
import { ApiError, createApiClient, createApiGet, describeError as describe, type ApiGet, type ApiPost } from './api-client.ts';
import { startApprovals } from './approval/index.ts';
import type { ApprovalSocket } from './approval/socket.ts';
import { retryDelay } from './backoff.ts';
import type { AgentConfig } from './config.ts';
import { cleanupEveryMs, cleanupFinished } from './housekeeping.ts';
import { readLease, SyncAnswerSchema } from './lease-read.ts';
import { READINESS_LOOK_MS } from './readiness.ts';
import { ReadinessWatch } from './readiness-watch.ts';
import { createTmux, tmuxSocketPath, type Tmux } from './tmux.ts';
import { AgentFiles, RUNNER_BIN, Spares, Turn, type TurnDeps } from './turn/index.ts';

/**
 * The safety net's pace: turns step as soon as their runner writes (a file watch); the tick
 * enforces time limits, escalates kills, and catches what a watch missed.
 */
const TICK_MS = 1_000;

export interface AgentDeps {
  config: AgentConfig;
  logger: Logger;
  post?: ApiPost;
  get?: ApiGet;
  /** The safety tick's interval (tests set it far out to show nothing waits for it). */
  tickMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The workspace daemon: registers, long-polls the API for leases and commands (the poll is
 * also its heartbeat), runs each turn in tmux and ships its output until every line is stored.
 */
export function createAgent(deps: AgentDeps): Agent {
  return new Agent(deps);
}

export class Agent {
  readonly turns = new Map<string, Turn>();
  private readonly config: AgentConfig;
  private readonly logger: Logger;
  private readonly post: ApiPost;
  private readonly get: ApiGet;
  /** Where claude's MCP servers ask for approvals. */
  private approvals: ApprovalSocket | null = null;
  private readonly files: AgentFiles;
  private readonly turnDeps: TurnDeps;
  /** The agent's private tmux server. */
  private readonly tmux: Tmux;
  /** A runner started ahead of the next lease. */
  private readonly spares: Spares;
  private readonly readiness: ReadinessWatch;
  private agentId: string | null = null;
  private stopping = false;
  /** Cuts retry waits short when the agent stops. */
  private readonly halt = new AbortController();
  private syncAbort: AbortController | null = null;
  private syncFreeSlots = 0;
  private syncLoopDone: Promise<void> = Promise.resolve();
  private readonly timers: NodeJS.Timeout[] = [];
  private ticking = false;
  private readonly tickMs: number;

  constructor({ config, logger, post = createApiClient(config.url, config.token), get = createApiGet(config.url, config.token), tickMs = TICK_MS }: AgentDeps) {
    this.config = config;
    this.get = get;
    this.tickMs = tickMs;
    this.logger = logger;
    this.post = post;
    this.files = new AgentFiles(config.dir);
    this.readiness = new ReadinessWatch(config, (next) => {
      this.logger.info({ problems: next.report.problems }, 'readiness changed; registering again');
      this.agentId = null;
      this.syncAbort?.abort();
    });
    // A freed slot is offered at once: a sync that offered none is cut short and sent again.
    const onFinished = (summary: TurnSummary) => {
      if (classifyTurn(summary, null) === 'auth_failed') this.holdForLogin(summary);
      void (this.syncFreeSlots === 0 && this.syncAbort?.abort());
    };
    this.tmux = createTmux(tmuxSocketPath(config.dir));
    const onError = (what: string, err: unknown) => logger.warn({ err: describe(err) }, what);
    this.spares = new Spares({ dir: config.dir, tmux: this.tmux, runner: [process.execPath, RUNNER_BIN], onError });
    this.turnDeps = { config, post, logger, onFinished, tmux: this.tmux, spare: this.spares };
  }

  async start(): Promise<void> {
    for (const file of this.files.stateFiles()) {
      const turn = Turn.adopt(this.turnDeps, file);
      if (!turn) continue;
      this.turns.set(`${turn.taskId}/${turn.state.lease.turn}`, turn);
      const alive = await this.tmux.has(turn.session);
      this.logger.info({ taskId: turn.taskId, turn: turn.state.lease.turn, ackSeq: turn.state.ackSeq, alive }, 're-adopted turn');
    }
    // Re-adopted turns' MCP servers ask again on the socket; without it, their calls are refused.
    const noSocket = (err: unknown) => void this.logger.error({ err: describe(err) }, 'no approval socket: approvals cannot be asked');
    this.approvals = (await startApprovals({ ...this.config, post: this.post, get: this.get, logger: this.logger, turns: this.turns }).catch(noSocket)) ?? null;
    // Without a spare, turns start the slow way: worth a warning, not a stop.
    await this.spares.start().catch((err: unknown) => this.logger.warn({ err: describe(err) }, 'no spare runner'));
    await this.register();
    if (this.stopping) return; // stopped while registering: start nothing
    // Re-adopted turns go on where they stopped, as soon as the API knows us again.
    for (const turn of this.active()) this.follow(turn);
    const cleanupFailed = (err: unknown) => this.logger.warn({ err: describe(err) }, 'cleanup failed');
    this.timers.push(setInterval(() => void this.tickAll(), this.tickMs));
    this.timers.push(setInterval(() => void this.readiness.recheck().catch(() => undefined), READINESS_LOOK_MS));
    this.timers.push(setInterval(() => void this.cleanup().catch(cleanupFailed), cleanupEveryMs(this.config)));
    this.syncLoopDone = this.syncLoop();
  }

  /** Graceful stop: no new work, running turns killed and reported, nothing left running. */
  async stop(deadlineMs = 12_000): Promise<void> {
    this.stopping = true;
    this.halt.abort();
    this.syncAbort?.abort();
    const until = Date.now() + deadlineMs;
    await this.spares.close();
    await this.approvals?.close();
    for (const t of this.active()) t.kill('agent shutdown');
    while (this.active().length > 0 && Date.now() < until) {
      await this.tickAll();
      await sleep(100);
    }
    // Nothing of ours stays behind, finished panes included: they are only there to look at.
    for (const session of new Set([...this.turns.values()].map((t) => t.session))) {
      await this.spares.settled(session);
      await this.tmux.kill(session);
    }
    for (const timer of this.timers) clearInterval(timer);
    for (const turn of this.turns.values()) turn.unwatch();
    await this.syncLoopDone;
    this.logger.info({ unreported: this.active().length }, 'agent stopped');
  }

  /** Closes finished panes after their retention and removes fully reported task dirs. */
  cleanup(now = Date.now()): Promise<void> {
    const busy = (taskId: string) => this.active().some((t) => t.taskId === taskId);
    const forget = (taskId: string) => {
      for (const key of [...this.turns.keys()]) if (key.startsWith(`${taskId}/`)) this.turns.delete(key);
    };
    return cleanupFinished({ files: this.files, config: this.config, busy, forget, tmux: this.tmux }, now);
  }

  private active(): Turn[] {
    return [...this.turns.values()].filter((t) => !t.done);
  }

  /** A retry wait; it ends early when the agent stops. */
  private backOff(ms: number): Promise<void> {
    return delay(ms, undefined, { signal: this.halt.signal }).catch(() => undefined);
  }

  private async register(): Promise<void> {
    const readiness = await this.readiness.check();
    if (readiness.report.simulated) {
      this.logger.warn(
        { claudeBin: readiness.claudeBin },
        '!!! SIMULATED: this agent runs claude-sim, not Claude Code — tasks get scripted answers. Install and log in to claude, or set SWITCHYARD_CLAUDE_BIN. !!!',
      );
    }
    if (readiness.report.problems.length) this.logger.warn({ problems: readiness.report.problems }, 'not ready: the workspace takes no work until these are fixed');
    if (process.getuid?.() === 0 && !readiness.report.simulated) {
      this.logger.warn('running as root: claude refuses bypassPermissions as root, so turns asking for it fail with that reason; run the agent as another user');
    }
    for (let attempt = 0; !this.stopping; attempt++) {
      try {
        const res = await this.post('/register', readiness.report, AgentRegisterResponseSchema);
        if (this.agentId !== res.agentId) this.logger.setBindings({ agentId: res.agentId }); // on every later line, turns' too
        this.agentId = res.agentId;
        const { claudeVersion: claude, tmuxVersion: tmuxV } = readiness.report;
        this.logger.info({ agentId: res.agentId, workspace: res.workspace.name, slots: this.config.slots, claude, tmux: tmuxV }, 'registered');
        return;
      } catch (err) {
        const wait = retryDelay(attempt, err);
        if (err instanceof ApiError && err.code === AgentErrorCodes.agentTooOld) {
          // The API's message says what to upgrade; nothing changes until someone does.
          this.logger.error({ protocolVersion: readiness.report.protocolVersion, retryInMs: wait }, `the API refuses this agent: ${err.message}`);
        } else {
          this.logger.warn({ err: describe(err), retryInMs: wait }, 'register failed');
        }
        await this.backOff(wait);
      }
    }
  }

  private async syncLoop(): Promise<void> {
    for (let failures = 0; !this.stopping; ) {
      if (!this.agentId) await this.register();
      if (this.stopping) break;
      const busy = this.active().length;
      const freeSlots = this.readiness.current?.report.problems.length ? 0 : Math.max(0, this.config.slots - busy);
      const abort = (this.syncAbort = new AbortController());
      this.syncFreeSlots = freeSlots;
      try {
        const running = this.active().map((t) => t.running());
        const waitMs = freeSlots > 0 || busy === 0 ? 20_000 : 5_000;
        const res = await this.post('/sync', { agentId: this.agentId, freeSlots, running, waitMs }, SyncAnswerSchema, abort.signal);
        failures = 0;
        for (const command of res.commands) await this.handle(command);
        for (const lease of res.leases) await this.startTurn(lease);
        if (busy > 0 && res.leases.length === 0 && res.commands.length === 0) await sleep(50);
      } catch (err) {
        if (this.stopping) break;
        if (abort.signal.aborted) continue;
        if (err instanceof ApiError && err.code === AgentErrorCodes.agentUnknown) {
          this.agentId = null;
          continue;
        }
        failures += 1;
        const wait = retryDelay(failures, err);
        const level = err instanceof ApiError && err.status < 500 ? 'error' : 'warn';
        this.logger[level]({ err: describe(err), retryInMs: wait }, 'sync failed; output stays on disk and is shipped when the API is back');
        await this.backOff(wait);
      }
    }
  }

  private async handle(command: AgentCommand): Promise<void> {
    for (const turn of this.active().filter((t) => t.taskId === command.taskId)) {
      if (command.type === 'kill') turn.kill(command.reason);
      else await turn.abandon(command.reason);
    }
  }

  private async startTurn(raw: unknown): Promise<void> {
    const read = readLease(raw);
    // The task id names a directory and a tmux session: anything else is refused outright.
    if (!read || !isTaskId(read.lease.taskId)) {
      this.logger.error({ taskId: String((raw as { taskId?: unknown } | null)?.taskId).slice(0, 100) }, 'refusing a lease that names no task this agent can run');
      return;
    }
    const { lease, refusal } = read;
    const key = `${lease.taskId}/${lease.turn}`;
    if (this.turns.has(key) && !this.turns.get(key)!.done) return;
    const turn = await Turn.launch(this.turnDeps, lease, this.readiness.current?.claudeBin ?? null, refusal);
    this.turns.set(key, turn);
    this.follow(turn);
    this.logger.info({ taskId: lease.taskId, turn: lease.turn, session: turn.session, workdir: lease.workdir }, 'turn started');
  }

  /** Steps the turn whenever its runner writes; a step that fails waits for the tick. */
  private follow(turn: Turn): void {
    if (this.stopping) return;
    turn.watch((err) => this.logger.debug({ taskId: turn.taskId, err: describe(err) }, 'turn step failed; retrying on the tick'));
  }

  private async tickAll(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    const failed = (t: Turn) => (err: unknown) => this.logger.debug({ taskId: t.taskId, err: describe(err) }, 'turn step failed; retrying');
    try {
      await Promise.all(this.active().map((t) => t.tick().catch(failed(t))));
    } finally {
      this.ticking = false;
    }
  }

  /**
   * claude's login failed in a turn (an invalid key passes `claude auth status`): report not
   * ready with the reason for a while, so the workspace takes no work that would fail the same
   * way; the API puts the turn back in the queue.
   */
  private holdForLogin(summary: TurnSummary): void {
    const why = `claude's login failed in a turn (${summary.errorKind}): ${(summary.result ?? '').slice(0, 200)}`;
    const holdMs = (this.config.authHoldSec ?? 300) * 1000;
    this.readiness.hold(Date.now() + holdMs, why);
    // Ready again when the hold ends, not at the next periodic check.
    this.timers.push(setTimeout(() => void this.readiness.recheck(true).catch(() => undefined), holdMs + 50));
    this.logger.error({ errorKind: summary.errorKind }, `${why}; not ready for ${this.config.authHoldSec ?? 300}s`);
    this.agentId = null;
    this.syncAbort?.abort();
  }
}
