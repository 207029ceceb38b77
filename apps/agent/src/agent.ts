import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import {
  AgentRegisterResponseSchema,
  SyncResponseSchema,
  type AgentCommand,
  type AgentRegister,
  type Lease,
} from '@switchyard/core';
import { ApiError, createApiClient, type ApiPost } from './api-client.ts';
import type { AgentConfig } from './config.ts';
import { checkReadiness, type Readiness } from './readiness.ts';
import { tmux } from './tmux.ts';
import { stateFilesUnder, Turn } from './turn.ts';

const TICK_MS = 200;
const READINESS_EVERY_MS = 60_000;
/** Cleanup runs once a minute, or more often when retention is shorter than that. */
const cleanupEveryMs = (c: AgentConfig) => Math.max(1_000, Math.min(60_000, (c.sessionRetentionSec * 1000) / 2));

export interface AgentDeps {
  config: AgentConfig;
  logger: Logger;
  post?: ApiPost;
}

/**
 * The workspace daemon: registers, long-polls the API for leases and commands (the poll is
 * also its heartbeat), runs each turn in tmux and ships its output until every line is stored.
 */
export function createAgent({ config, logger, post = createApiClient(config.url, config.token) }: AgentDeps) {
  const turns = new Map<string, Turn>();
  let readiness: Readiness | null = null;
  let agentId: string | null = null;
  let stopping = false;
  let syncAbort: AbortController | null = null;
  const timers: NodeJS.Timeout[] = [];
  let syncLoopDone: Promise<void> = Promise.resolve();
  let syncFreeSlots = 0;
  // A freed slot is offered at once: a sync that offered none is cut short and sent again.
  const deps = { config, post, logger, onFinished: () => syncFreeSlots === 0 && syncAbort?.abort() };

  const active = (): Turn[] => [...turns.values()].filter((t) => !t.done);
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  async function register(): Promise<void> {
    readiness = await checkReadiness(config);
    if (readiness.report.simulated) {
      logger.warn(
        { claudeBin: readiness.claudeBin },
        '!!! SIMULATED: this agent runs claude-sim, not Claude Code — tasks get scripted answers. Install and log in to claude, or set SWITCHYARD_CLAUDE_BIN. !!!',
      );
    }
    if (readiness.report.problems.length) logger.warn({ problems: readiness.report.problems }, 'not ready: the workspace takes no work until these are fixed');
    for (let attempt = 0; !stopping; attempt++) {
      try {
        const res = await post('/register', readiness.report, AgentRegisterResponseSchema);
        agentId = res.agentId;
        logger.info({ agentId, workspace: res.workspace.name, slots: config.slots, claude: readiness.report.claudeVersion, tmux: readiness.report.tmuxVersion }, 'registered');
        return;
      } catch (err) {
        const wait = backoff(attempt, err);
        logger.warn({ err: describe(err), retryInMs: wait }, 'register failed');
        await sleep(wait);
      }
    }
  }

  function backoff(attempt: number, err: unknown): number {
    if (err instanceof ApiError && (err.status === 401 || err.status === 403)) return 30_000;
    return Math.min(15_000, 500 * 2 ** Math.min(attempt, 5));
  }

  function describe(err: unknown): string {
    if (err instanceof ApiError) return `${err.status} ${err.code}: ${err.message}`;
    return err instanceof Error ? `${err.message}${err.cause instanceof Error ? ` (${err.cause.message})` : ''}` : String(err);
  }

  async function startTurn(lease: Lease): Promise<void> {
    const key = `${lease.taskId}/${lease.turn}`;
    if (turns.has(key) && !turns.get(key)!.done) return;
    const turn = await Turn.launch(deps, lease, readiness?.claudeBin ?? null);
    turns.set(key, turn);
    logger.info({ taskId: lease.taskId, turn: lease.turn, session: turn.session, workdir: lease.workdir }, 'turn started');
  }

  async function handle(command: AgentCommand): Promise<void> {
    for (const turn of active().filter((t) => t.taskId === command.taskId)) {
      if (command.type === 'kill') turn.kill(command.reason);
      else await turn.abandon(command.reason);
    }
  }

  async function syncLoop(): Promise<void> {
    for (let failures = 0; !stopping; ) {
      if (!agentId) await register();
      if (stopping) break;
      const busy = active().length;
      const freeSlots = readiness?.report.problems.length ? 0 : Math.max(0, config.slots - busy);
      syncAbort = new AbortController();
      syncFreeSlots = freeSlots;
      try {
        const res = await post(
          '/sync',
          { agentId, freeSlots, running: active().map((t) => t.running()), waitMs: freeSlots > 0 || busy === 0 ? 20_000 : 5_000 },
          SyncResponseSchema,
          syncAbort.signal,
        );
        failures = 0;
        for (const command of res.commands) await handle(command);
        for (const lease of res.leases) await startTurn(lease);
        if (busy > 0 && res.leases.length === 0 && res.commands.length === 0) await sleep(50);
      } catch (err) {
        if (stopping) break;
        if (syncAbort.signal.aborted) continue;
        if (err instanceof ApiError && err.code === 'agent_unknown') {
          agentId = null;
          continue;
        }
        failures += 1;
        const wait = backoff(failures, err);
        const level = err instanceof ApiError && err.status < 500 ? 'error' : 'warn';
        logger[level]({ err: describe(err), retryInMs: wait }, 'sync failed; output stays on disk and is shipped when the API is back');
        await sleep(wait);
      }
    }
  }

  let ticking = false;
  async function tickAll(): Promise<void> {
    if (ticking) return;
    ticking = true;
    try {
      await Promise.all(
        active().map((t) =>
          t.tick().catch((err: unknown) => logger.debug({ taskId: t.taskId, err: describe(err) }, 'turn step failed; retrying')),
        ),
      );
    } finally {
      ticking = false;
    }
  }

  /** Closes finished panes after their retention and removes fully reported task dirs. */
  async function cleanup(now = Date.now()): Promise<void> {
    const tasksDir = join(config.dir, 'tasks');
    let taskIds: string[] = [];
    try {
      taskIds = readdirSync(tasksDir);
    } catch {
      return;
    }
    for (const taskId of taskIds) {
      const turnStates = readdirSync(join(tasksDir, taskId, 'turns'), { withFileTypes: true }).filter((d) => d.isDirectory() && !d.name.includes('.attempt-'));
      const states = turnStates.map((d) => Turn.peek(join(tasksDir, taskId, 'turns', d.name, 'state.json')));
      if (states.some((s) => !s || (!s.reported && !s.dropped))) continue;
      const endedAt = Math.max(...states.map((s) => s!.endedAt ?? 0));
      if (now - endedAt > config.sessionRetentionSec * 1000 && !active().some((t) => t.taskId === taskId)) {
        await tmux.kill(`sy-${taskId}`);
      }
      if (now - endedAt > config.dirRetentionSec * 1000) {
        rmSync(join(tasksDir, taskId), { recursive: true, force: true });
        for (const key of [...turns.keys()]) if (key.startsWith(`${taskId}/`)) turns.delete(key);
      }
    }
  }

  async function recheckReadiness(): Promise<void> {
    const next = await checkReadiness(config);
    const changed = (r: AgentRegister | undefined) => JSON.stringify([r?.problems, r?.claudeVersion, r?.tmuxVersion, r?.simulated]);
    if (changed(next.report) !== changed(readiness?.report)) {
      logger.info({ problems: next.report.problems }, 'readiness changed; registering again');
      agentId = null;
      syncAbort?.abort();
    }
  }

  return {
    turns,
    async start(): Promise<void> {
      for (const file of stateFilesUnder(config.dir, (d) => readdirSync(d))) {
        const turn = Turn.adopt(deps, file);
        if (!turn) continue;
        turns.set(`${turn.taskId}/${turn.state.lease.turn}`, turn);
        logger.info({ taskId: turn.taskId, turn: turn.state.lease.turn, ackSeq: turn.state.ackSeq, alive: await tmux.has(turn.session) }, 're-adopted turn');
      }
      await register();
      timers.push(setInterval(() => void tickAll(), TICK_MS));
      timers.push(setInterval(() => void recheckReadiness().catch(() => undefined), READINESS_EVERY_MS));
      timers.push(setInterval(() => void cleanup().catch((err: unknown) => logger.warn({ err: describe(err) }, 'cleanup failed')), cleanupEveryMs(config)));
      syncLoopDone = syncLoop();
    },

    /** Graceful stop: no new work, running turns killed and reported, nothing left running. */
    async stop(deadlineMs = 12_000): Promise<void> {
      stopping = true;
      syncAbort?.abort();
      const until = Date.now() + deadlineMs;
      for (const t of active()) t.kill('agent shutdown');
      while (active().length > 0 && Date.now() < until) {
        await tickAll();
        await sleep(100);
      }
      // Nothing of ours stays behind, finished panes included: they are only there to look at.
      for (const session of new Set([...turns.values()].map((t) => t.session))) await tmux.kill(session);
      for (const timer of timers) clearInterval(timer);
      await syncLoopDone;
      logger.info({ unreported: active().length }, 'agent stopped');
    },
    cleanup,
  };
}

export type Agent = ReturnType<typeof createAgent>;
