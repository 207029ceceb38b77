import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import {
  classifyTurn,
  ConflictError,
  isTerminal,
  NotFoundError,
  SwitchyardError,
  type AgentCommand,
  type ClaudeOptions,
  type Lease,
  type RunningTurn,
  type TaskStatus,
  type TurnFinished,
} from '@switchyard/core';
import {
  countTasks,
  findAgent,
  findTask,
  findTeam,
  findTurn,
  findWorkspace,
  insertTask,
  insertTurn,
  listAgents,
  oldestQueued,
  listTasksByStatus,
  listTurns,
  listWorkspaces,
  markAgentLost,
  setTeamRateLimit,
  transitionTask,
  updateTask,
  updateTurn,
  updateWorkspace,
  type AgentRow,
  type DbHandle,
  type NewTask,
  type TaskRow,
  type WorkspaceRow,
} from '@switchyard/db';
import { admitTask } from './admission.ts';
import { rateLimitBackoffMs, retryBackoffMs } from './backoff.ts';
import { Hub } from './hub.ts';
import { poolQueueName, QueueRegistry, workspaceQueueName } from './queues.ts';

export interface SchedulerConfig {
  /** Seconds of agent silence before its leases are returned and its running tasks lost. */
  graceSec: number;
  /** Infrastructure attempts per turn before the task fails. */
  maxAttempts: number;
  /** Redis key prefix of every queue. */
  prefix: string;
  /** How many leasing workers to keep open. */
  maxWorkers: number;
  /** How often to look for silent agents and expired rate limits. */
  sweepEveryMs: number;
  /** How often the reconciler compares SQLite with Redis. */
  reconcileEveryMs: number;
}

const DEFAULTS: SchedulerConfig = {
  graceSec: 90,
  maxAttempts: 3,
  prefix: 'sy',
  maxWorkers: 64,
  sweepEveryMs: 5_000,
  reconcileEveryMs: 60_000,
};

export interface SchedulerDeps {
  redis: Redis;
  db: DbHandle;
  logger: Logger;
  hub?: Hub;
  config?: Partial<SchedulerConfig>;
  now?: () => number;
}

export class TurnNotCurrentError extends SwitchyardError {
  constructor(taskId: string, turn: number) {
    super('turn_not_current', 409, `task ${taskId} is not expecting turn ${turn} from this agent`);
  }
}

export class OutputIncompleteError extends SwitchyardError {
  constructor(ackSeq: number, lastSeq: number) {
    super('output_incomplete', 409, `output stored up to seq ${ackSeq}, turn ended at ${lastSeq}`, {
      ackSeq,
    });
  }
}

const ACTIVE: TaskStatus[] = ['dispatched', 'running'];
/** How old a lease must be before its absence from the agent's turns means it was lost. */
const LEASE_LOST_MS = 5_000;

export type Scheduler = ReturnType<typeof createScheduler>;

/**
 * Decides what runs where. SQLite is the record of truth for tasks; Redis (BullMQ) is the
 * record of what waits. Every status change goes through `transitionTask` in one transaction.
 */
export function createScheduler(deps: SchedulerDeps) {
  const config = { ...DEFAULTS, ...deps.config };
  const { db: h, logger } = deps;
  const db = h.db;
  const hub = deps.hub ?? new Hub();
  const now = deps.now ?? Date.now;
  const queues = new QueueRegistry(deps.redis, {
    prefix: config.prefix,
    lockMs: config.graceSec * 1000,
    maxWorkers: config.maxWorkers,
  });
  const concurrencySet = new Map<string, number>();
  let sweepTimer: NodeJS.Timeout | undefined;
  let reconcileTimer: NodeJS.Timeout | undefined;

  function emitTask(task: TaskRow): TaskRow {
    hub.emit('task', task);
    return task;
  }

  function queueOf(task: Pick<TaskRow, 'workspaceId' | 'teamId'>): string {
    return task.workspaceId ? workspaceQueueName(task.workspaceId) : poolQueueName(task.teamId);
  }

  function wakeFor(task: Pick<TaskRow, 'workspaceId' | 'teamId'>): void {
    if (task.workspaceId) return void hub.emit('wake', task.workspaceId);
    for (const ws of listWorkspaces(db, task.teamId)) if (ws.pool) hub.emit('wake', ws.id);
  }

  async function syncConcurrency(ws: WorkspaceRow): Promise<void> {
    if (concurrencySet.get(ws.id) === ws.maxConcurrency) return;
    await queues.queue(workspaceQueueName(ws.id)).setGlobalConcurrency(ws.maxConcurrency);
    concurrencySet.set(ws.id, ws.maxConcurrency);
  }

  /** Puts the task's current turn in its queue (after `delayMs`) and records the job. */
  async function enqueue(task: TaskRow, delayMs = 0): Promise<void> {
    const name = queueOf(task);
    const jobId = await queues.add(name, { taskId: task.id, turn: task.currentTurn }, {
      priority: task.priority,
      delayMs,
    });
    updateTask(db, task.id, { jobId, queueName: name, leaseToken: null }, now());
    wakeFor(task);
  }

  /** Ends the current job of a task, whatever state it is in. Never throws. */
  async function dropJob(task: TaskRow): Promise<void> {
    if (!task.jobId || !task.queueName) return;
    try {
      const job = await queues.job(task.queueName, task.jobId);
      if (!job) return;
      if (task.leaseToken && (await job.isActive())) {
        await job.moveToCompleted(null, task.leaseToken, false);
      } else {
        await job.remove();
      }
    } catch (err) {
      // A lock that expired while the API was down: the job can still be removed.
      try {
        await (await queues.job(task.queueName, task.jobId))?.remove();
      } catch {
        logger.warn({ err, taskId: task.id, jobId: task.jobId }, 'could not remove job');
      }
    }
  }

  function workspaceBlockedUntil(ws: WorkspaceRow, t = now()): number | null {
    const team = findTeam(db, ws.teamId);
    const until = Math.max(ws.rateLimitedUntil ?? 0, team?.rateLimitedUntil ?? 0);
    return until > t ? until : null;
  }

  /** Why a workspace takes no work now, in words; empty when it can take work. */
  function workspaceProblems(ws: WorkspaceRow, agent?: AgentRow): string[] {
    const problems: string[] = [];
    if (ws.paused) problems.push('workspace is paused');
    const blocked = workspaceBlockedUntil(ws);
    if (blocked) problems.push(`rate limited until ${new Date(blocked).toISOString()}`);
    const agents = agent ? [agent] : listAgents(db, ws.id);
    const online = agents.filter((a) => isOnline(a));
    if (online.length === 0) problems.push('no agent online');
    else if (online.every((a) => a.problems.length > 0)) {
      problems.push(...new Set(online.flatMap((a) => a.problems)));
    }
    return problems;
  }

  function isOnline(agent: AgentRow, t = now()): boolean {
    return agent.lostAt === null && t - agent.lastSeenAt < config.graceSec * 1000;
  }

  function leaseOf(task: TaskRow, token: string): Lease {
    return {
      taskId: task.id,
      turn: task.currentTurn,
      leaseToken: token,
      prompt: findTurn(db, task.id, task.currentTurn)?.prompt ?? task.prompt,
      sessionId: task.sessionId,
      // Any earlier turn or attempt that started made the session: continue it.
      resume: task.startedAt !== null,
      workdir: task.workdir,
      options: task.options as ClaudeOptions,
      maxDurationSec: task.maxDurationSec,
      idleTimeoutSec: task.idleTimeoutSec,
      startSeq: task.lastSeq + 1,
    };
  }

  /**
   * Among the other workspaces of a team that could start work now, the one whose oldest queued
   * task has waited longest, with the time it started waiting.
   */
  function longestWaiting(teamId: string, exceptWorkspaceId: string): { workspaceId: string; since: number } | null {
    let best: { workspaceId: string; since: number } | null = null;
    for (const other of listWorkspaces(db, teamId)) {
      if (other.id === exceptWorkspaceId || workspaceProblems(other).length > 0) continue;
      if (countTasks(db, { workspaceId: other.id, statuses: ACTIVE }) >= other.maxConcurrency) continue;
      const oldest = oldestQueued(db, other.id);
      if (oldest && (!best || oldest.queuedAt < best.since)) best = { workspaceId: other.id, since: oldest.queuedAt };
    }
    return best;
  }

  type Grant = { kind: 'lease'; lease: Lease } | { kind: 'stale' } | { kind: 'full' };

  /** Decides in one SQLite transaction whether this agent may run the job's task. */
  function grant(agent: AgentRow, ws: WorkspaceRow, taskId: string, turn: number, token: string, jobId: string, queueName: string): Grant {
    return h.tx((): Grant => {
      const task = findTask(db, taskId);
      if (!task || task.currentTurn !== turn || !['queued', 'rate_limited'].includes(task.status)) {
        return { kind: 'stale' };
      }
      if (task.workspaceId && task.workspaceId !== ws.id) return { kind: 'stale' };
      if (countTasks(db, { workspaceId: ws.id, statuses: ACTIVE }) >= ws.maxConcurrency) {
        return { kind: 'full' };
      }
      const team = findTeam(db, ws.teamId)!;
      if (team.maxRunning !== null) {
        const running = countTasks(db, { teamId: team.id, statuses: ACTIVE });
        if (running >= team.maxRunning) return { kind: 'full' };
        const waiting = longestWaiting(team.id, ws.id);
        if (waiting && waiting.since < task.queuedAt) {
          // A freed team slot goes to the workspace that has waited longest.
          hub.emit('wake', waiting.workspaceId);
          return { kind: 'full' };
        }
      }
      const t = now();
      const row = transitionTask(
        db,
        task,
        'dispatched',
        { leaseToken: token, agentId: agent.id, workspaceId: ws.id, jobId, queueName, rateLimitedUntil: null },
        { reason: `leased to agent ${agent.hostname}`, now: t },
      );
      updateWorkspace(db, ws.id, { lastGrantAt: t });
      emitTask(row);
      return { kind: 'lease', lease: leaseOf(row, token) };
    });
  }

  /** New leases for an agent with `freeSlots`, from its workspace queue and its team pool. */
  async function lease(agentId: string, freeSlots: number): Promise<Lease[]> {
    const agent = findAgent(db, agentId);
    if (!agent) return [];
    const ws = findWorkspace(db, agent.workspaceId)!;
    if (workspaceProblems(ws, agent).length > 0) return [];
    await syncConcurrency(ws);
    const active = countTasks(db, { workspaceId: ws.id, statuses: ACTIVE });
    let room = Math.min(freeSlots, ws.maxConcurrency - active);
    const leases: Lease[] = [];
    const names = [workspaceQueueName(ws.id), ...(ws.pool ? [poolQueueName(ws.teamId)] : [])];
    for (const name of names) {
      while (room > 0) {
        const got = await queues.lease(name);
        if (!got) break;
        const { job, token } = got;
        if (job.deferredFailure) {
          // BullMQ marked it stalled: never run it again silently.
          logger.warn({ jobId: job.id, reason: job.deferredFailure }, 'stalled job refused');
          await job.moveToFailed(new Error(job.deferredFailure), token, false).catch(() => undefined);
          continue;
        }
        const g = grant(agent, ws, job.data.taskId, job.data.turn, token, job.id!, name);
        if (g.kind === 'lease') {
          leases.push(g.lease);
          room -= 1;
        } else if (g.kind === 'stale') {
          await job.moveToCompleted(null, token, false).catch(() => undefined);
        } else {
          await job.moveToWait(token);
          room = 0;
        }
      }
    }
    return leases;
  }

  /** Heartbeat: extends the locks of this agent's leases; returns commands for it. */
  async function heartbeat(agentId: string, running: RunningTurn[], syncStartedAt = now()): Promise<AgentCommand[]> {
    const commands: AgentCommand[] = [];
    const held = new Set(running.map((r) => `${r.taskId}/${r.turn}`));
    for (const task of listTasksByStatus(db, ['dispatched']).filter((t) => t.agentId === agentId)) {
      // Leased before the agent's last sync began yet not among its turns: the answer that
      // carried the lease was lost. The turn never started, so it goes back to the queue.
      if (task.updatedAt < syncStartedAt - LEASE_LOST_MS && !held.has(`${task.id}/${task.currentTurn}`)) {
        await returnLease(task, 'the agent never received the lease');
      }
    }
    const mine = listTasksByStatus(db, ACTIVE).filter((t) => t.agentId === agentId);
    const byQueue = new Map<string, { ids: string[]; tokens: string[] }>();
    for (const task of mine) {
      if (task.jobId && task.queueName && task.leaseToken) {
        const entry = byQueue.get(task.queueName) ?? { ids: [], tokens: [] };
        entry.ids.push(task.jobId);
        entry.tokens.push(task.leaseToken);
        byQueue.set(task.queueName, entry);
      }
      if (task.killRequestedAt !== null) {
        commands.push({ type: 'kill', taskId: task.id, reason: task.killReason ?? 'killed by request' });
      }
    }
    for (const [name, { ids, tokens }] of byQueue) {
      await queues.extendLocks(name, ids, tokens).catch((err: unknown) => {
        logger.warn({ err, queue: name }, 'could not extend leases');
      });
    }
    for (const r of running) {
      const task = findTask(db, r.taskId);
      const current = task && task.agentId === agentId && task.currentTurn === r.turn && ACTIVE.includes(task.status as TaskStatus);
      // A turn that finished but whose report has not arrived is still expected.
      const awaitingReport = task && task.currentTurn === r.turn && !r.alive;
      if (!current && !awaitingReport) {
        commands.push({ type: 'abandon', taskId: r.taskId, reason: task ? `task is ${task.status}` : 'unknown task' });
      }
    }
    return commands;
  }

  function turnStarted(agentId: string, taskId: string, turn: number): TaskRow {
    return h.tx(() => {
      const task = findTask(db, taskId);
      if (!task) throw new NotFoundError('task', taskId);
      if (task.agentId !== agentId || task.currentTurn !== turn) throw new TurnNotCurrentError(taskId, turn);
      if (task.status === 'running') return task; // a resent report
      if (task.status !== 'dispatched') throw new TurnNotCurrentError(taskId, turn);
      const t = now();
      updateTurn(db, taskId, turn, { status: 'running', startedAt: t, agentId, startSeq: task.lastSeq + 1 });
      return emitTask(
        transitionTask(db, task, 'running', { turnStarted: true, startedAt: task.startedAt ?? t }, { reason: 'turn started', now: t }),
      );
    });
  }

  /** Records the end of a turn and decides what follows: done, next turn, retry or backoff. */
  async function turnFinished(agentId: string, taskId: string, body: TurnFinished): Promise<TaskRow> {
    const before = findTask(db, taskId);
    if (!before) throw new NotFoundError('task', taskId);
    if (before.currentTurn !== body.turn || before.agentId !== agentId) {
      throw new TurnNotCurrentError(taskId, body.turn);
    }
    if (before.lastSeq < body.lastSeq) throw new OutputIncompleteError(before.lastSeq, body.lastSeq);
    if (!ACTIVE.includes(before.status as TaskStatus)) {
      // Already decided (lost, cancelled): keep the record, change nothing.
      if (isTerminal(before.status as TaskStatus)) return before;
      throw new TurnNotCurrentError(taskId, body.turn);
    }
    const t = now();
    let requeueDelay: number | null = null;
    const task = h.tx(() => {
      const cur = findTask(db, taskId)!;
      const s = body.summary;
      const turnPatch = {
        outcome: body.outcome,
        exitCode: body.exitCode,
        signal: body.signal,
        result: s.result,
        isError: s.isError,
        costUsd: s.costUsd,
        numTurns: s.numTurns,
        durationMs: s.durationMs,
        summary: s as unknown as Record<string, unknown>,
        reason: body.reason,
        endSeq: body.lastSeq,
        finishedAt: t,
      };
      const totals = {
        costUsd: cur.costUsd + (s.costUsd ?? 0),
        numTurns: cur.numTurns + (s.numTurns ?? 0),
        durationMs: cur.durationMs + (s.durationMs ?? 0),
        usage: addUsage(cur.usage, s.usage),
        todos: s.todos ?? cur.todos,
      };
      if (body.outcome === 'spawn_failed') {
        const attempts = cur.attempts + 1;
        if (attempts < config.maxAttempts) {
          updateTurn(db, taskId, body.turn, { ...turnPatch, status: 'queued' });
          requeueDelay = retryBackoffMs(attempts);
          return transitionTask(db, cur, 'queued', { attempts, agentId: null, leaseToken: null, turnStarted: false, queuedAt: t }, { reason: `spawn failed, retry ${attempts}: ${body.reason ?? ''}`, now: t });
        }
        updateTurn(db, taskId, body.turn, { ...turnPatch, status: 'failed' });
        return transitionTask(db, cur, 'failed', { attempts, finishedAt: t, errorCode: 'spawn_failed', errorMessage: body.reason ?? 'could not start claude' }, { reason: 'spawn failed', now: t });
      }
      if (body.outcome === 'killed') {
        updateTurn(db, taskId, body.turn, { ...turnPatch, status: 'killed' });
        return transitionTask(db, cur, 'killed', { ...totals, exitCode: body.exitCode, finishedAt: t, errorCode: 'killed', errorMessage: body.reason ?? cur.killReason ?? 'killed' }, { reason: body.reason, now: t });
      }
      const verdict = body.outcome === 'rate_limited' ? 'rate_limited' : classifyTurn(s, body.exitCode);
      if (verdict === 'rate_limited') {
        const ws = findWorkspace(db, cur.workspaceId!)!;
        const until = s.rateLimit?.resetsAt && s.rateLimit.resetsAt > t ? s.rateLimit.resetsAt : t + rateLimitBackoffMs(ws.backoffLevel);
        updateWorkspace(db, ws.id, { backoffLevel: s.rateLimit?.resetsAt ? 0 : ws.backoffLevel + 1 });
        if (ws.rateLimitScope === 'team') setTeamRateLimit(db, ws.teamId, until);
        else updateWorkspace(db, ws.id, { rateLimitedUntil: until });
        hub.emit('workspace', { workspaceId: ws.id, teamId: ws.teamId, rateLimitedUntil: until });
        updateTurn(db, taskId, body.turn, { ...turnPatch, status: 'rate_limited' });
        requeueDelay = until - t;
        return transitionTask(db, cur, 'rate_limited', { ...totals, rateLimitedUntil: until, agentId: null, turnStarted: false }, { reason: `rate limited until ${new Date(until).toISOString()}`, now: t });
      }
      updateTurn(db, taskId, body.turn, { ...turnPatch, status: verdict });
      const ws = cur.workspaceId ? findWorkspace(db, cur.workspaceId) : undefined;
      if (ws && ws.backoffLevel > 0) updateWorkspace(db, ws.id, { backoffLevel: 0 });
      return transitionTask(
        db,
        cur,
        verdict,
        {
          ...totals,
          exitCode: body.exitCode,
          result: s.result,
          isError: s.isError,
          finishedAt: t,
          attempts: 0,
          errorCode: verdict === 'failed' ? (s.errorKind ?? 'exit_code') : null,
          errorMessage: verdict === 'failed' ? failureMessage(body) : null,
        },
        { reason: `turn ${body.turn} ${verdict}`, now: t },
      );
    });
    emitTask(task);
    if (requeueDelay !== null) {
      await requeueSameJob(before, task, requeueDelay);
    } else {
      await dropJob(before);
      await startNextTurnIfAny(task);
    }
    // A workspace slot and a team slot are free: waiting long-polls lease now, not at their next check.
    teamChanged(task.teamId);
    return findTask(db, taskId)!;
  }

  /** A dispatched turn that never started goes back to the front of its queue. */
  async function returnLease(task: TaskRow, reason: string): Promise<void> {
    const row = h.tx(() => transitionTask(db, task, 'queued', { agentId: null, leaseToken: null }, { reason }));
    emitTask(row);
    try {
      const job = task.jobId && task.queueName ? await queues.job(task.queueName, task.jobId) : undefined;
      if (job && task.leaseToken) {
        await job.moveToWait(task.leaseToken);
        wakeFor(row);
        return;
      }
    } catch (err) {
      logger.warn({ err, taskId: task.id }, 'could not return the leased job; enqueueing anew');
      await dropJob(task);
    }
    await enqueue(findTask(db, task.id)!);
  }

  /** Sends the leased job back to wait (delayed); the same job keeps the turn's place. */
  async function requeueSameJob(leased: TaskRow, task: TaskRow, delayMs: number): Promise<void> {
    try {
      const job = leased.jobId && leased.queueName ? await queues.job(leased.queueName, leased.jobId) : undefined;
      if (job && leased.leaseToken) {
        await job.moveToDelayed(now() + Math.max(0, delayMs), leased.leaseToken);
        updateTask(db, task.id, { leaseToken: null }, now());
        wakeFor(task);
        return;
      }
    } catch (err) {
      logger.warn({ err, taskId: task.id }, 'could not delay the leased job; enqueueing anew');
      await dropJob(leased);
    }
    await enqueue(findTask(db, task.id)!, delayMs);
  }

  /** After a turn ends: the oldest follow-up that waits becomes the current turn. */
  async function startNextTurnIfAny(task: TaskRow): Promise<void> {
    if (!isTerminal(task.status as TaskStatus) || task.status === 'cancelled') return;
    const next = listTurns(db, task.id).find((t) => t.n > task.currentTurn && t.status === 'queued');
    if (!next) return;
    const row = h.tx(() =>
      transitionTask(db, findTask(db, task.id)!, 'queued', { currentTurn: next.n, queuedAt: now(), agentId: null, leaseToken: null, turnStarted: false, finishedAt: null, killRequestedAt: null, killReason: null, errorCode: null, errorMessage: null, attempts: 0 }, { reason: `turn ${next.n} queued` }),
    );
    emitTask(row);
    await enqueue(row);
  }

  /** Admits (team quotas), stores and enqueues a new task. */
  async function createTask(values: NewTask, actor: string | null): Promise<TaskRow> {
    const team = findTeam(db, values.teamId);
    if (!team) throw new NotFoundError('team', values.teamId);
    const task = h.tx(() => {
      admitTask(db, team, now());
      return insertTask(db, values, actor, now());
    });
    emitTask(task);
    await enqueue(task);
    return findTask(db, task.id)!;
  }

  /** Adds a follow-up turn; it runs now if the task is finished, else after the current turn. */
  async function followUp(taskId: string, prompt: string, actor: string | null): Promise<TaskRow> {
    const task = h.tx(() => {
      const cur = findTask(db, taskId);
      if (!cur) throw new NotFoundError('task', taskId);
      if (cur.status === 'cancelled') throw new ConflictError('a cancelled task takes no messages');
      const n = Math.max(...listTurns(db, taskId).map((t) => t.n)) + 1;
      insertTurn(db, taskId, n, prompt, now());
      return cur;
    });
    logger.info({ taskId, actor }, 'follow-up queued');
    await startNextTurnIfAny(task);
    return findTask(db, taskId)!;
  }

  /** Kill: a task that never started is cancelled; a running one is stopped by its agent. */
  async function kill(taskId: string, actor: string | null, reason = 'killed by request'): Promise<TaskRow> {
    const task = findTask(db, taskId);
    if (!task) throw new NotFoundError('task', taskId);
    if (isTerminal(task.status as TaskStatus)) return task;
    if (task.status === 'running') {
      const row = updateTask(db, taskId, { killRequestedAt: now(), killReason: `${reason}${actor ? ` (${actor})` : ''}` }, now());
      emitTask(row);
      if (row.workspaceId) hub.emit('wake', row.workspaceId);
      return row;
    }
    // queued, rate_limited or dispatched-not-started: it never runs.
    const row = h.tx(() => {
      for (const t of listTurns(db, taskId)) if (t.status === 'queued' || t.status === 'rate_limited') updateTurn(db, taskId, t.n, { status: 'cancelled', finishedAt: now() });
      return transitionTask(db, findTask(db, taskId)!, 'cancelled', { finishedAt: now(), errorCode: 'cancelled', errorMessage: reason }, { reason, actor });
    });
    emitTask(row);
    await dropJob(task);
    if (task.workspaceId) hub.emit('wake', task.workspaceId);
    return row;
  }

  /** Agents silent past the grace period: return their unstarted leases, lose their running tasks. */
  async function sweepLostAgents(): Promise<void> {
    const t = now();
    for (const agent of listAgents(db)) {
      if (agent.lostAt !== null || t - agent.lastSeenAt < config.graceSec * 1000) continue;
      markAgentLost(db, agent.id, t);
      hub.emit('agent', { agentId: agent.id, workspaceId: agent.workspaceId, online: false });
      logger.warn({ agentId: agent.id, hostname: agent.hostname }, 'agent lost');
      for (const task of listTasksByStatus(db, ACTIVE).filter((x) => x.agentId === agent.id)) {
        if (task.status === 'dispatched') {
          const attempts = task.attempts + 1;
          if (attempts >= config.maxAttempts) {
            emitTask(h.tx(() => transitionTask(db, task, 'failed', { attempts, finishedAt: t, errorCode: 'agent_lost', errorMessage: `agent ${agent.hostname} vanished before the turn started, ${attempts} times` }, { reason: 'agent lost' })));
            await dropJob(task);
          } else {
            emitTask(h.tx(() => transitionTask(db, task, 'queued', { attempts, agentId: null, queuedAt: t }, { reason: `agent ${agent.hostname} lost before start; retry ${attempts}` })));
            await requeueSameJob(task, findTask(db, task.id)!, retryBackoffMs(attempts));
          }
        } else {
          const row = h.tx(() => {
            updateTurn(db, task.id, task.currentTurn, { status: 'lost', outcome: 'lost', finishedAt: t, reason: 'agent lost' });
            return transitionTask(db, task, 'lost', { finishedAt: t, errorCode: 'agent_lost', errorMessage: `agent ${agent.hostname} silent for more than ${config.graceSec}s` }, { reason: 'agent lost' });
          });
          emitTask(row);
          await dropJob(task);
        }
      }
    }
  }

  /** Rate-limited tasks whose wait is over go back to queued by themselves. */
  function sweepRateLimits(): void {
    const t = now();
    for (const task of listTasksByStatus(db, ['rate_limited'])) {
      if ((task.rateLimitedUntil ?? 0) <= t) {
        emitTask(h.tx(() => transitionTask(db, task, 'queued', { rateLimitedUntil: null, queuedAt: t }, { reason: 'rate limit over' })));
        wakeFor(task);
      }
    }
  }

  async function sweep(): Promise<void> {
    try {
      await sweepLostAgents();
      sweepRateLimits();
    } catch (err) {
      logger.error({ err }, 'sweep failed');
    }
  }

  interface ReconcileReport {
    ranAt: string | null;
    enqueued: string[];
    removedJobs: string[];
    requeuedLeases: string[];
  }
  let lastReport: ReconcileReport = { ranAt: null, enqueued: [], removedJobs: [], requeuedLeases: [] };

  /**
   * Repairs differences between SQLite (the truth) and Redis (what waits): a queued row without
   * a job is enqueued, a waiting job without a live row removed, a lease held by no agent
   * returned. Returns and keeps what it did.
   */
  async function reconcile(): Promise<ReconcileReport> {
    const report: ReconcileReport = { ranAt: new Date(now()).toISOString(), enqueued: [], removedJobs: [], requeuedLeases: [] };
    for (const task of listTasksByStatus(db, ['queued', 'rate_limited'])) {
      const job = task.jobId && task.queueName ? await queues.job(task.queueName, task.jobId) : undefined;
      if (!job) {
        await enqueue(task, Math.max(0, (task.rateLimitedUntil ?? 0) - now()));
        report.enqueued.push(task.id);
      }
    }
    const names = new Set<string>();
    for (const ws of listWorkspaces(db)) {
      names.add(workspaceQueueName(ws.id));
      names.add(poolQueueName(ws.teamId));
    }
    for (const name of names) {
      const jobs = await queues.queue(name).getJobs(['waiting', 'delayed', 'prioritized']);
      for (const job of jobs) {
        const data = job.data as { taskId?: string } | undefined;
        const task = data?.taskId ? findTask(db, data.taskId) : undefined;
        if (!task || task.jobId !== job.id || isTerminal(task.status as TaskStatus)) {
          await job.remove().catch(() => undefined);
          report.removedJobs.push(job.id!);
        }
      }
    }
    for (const task of listTasksByStatus(db, ['dispatched'])) {
      const agent = task.agentId ? findAgent(db, task.agentId) : undefined;
      if (!agent || agent.lostAt !== null) {
        await returnLease(task, 'lease held by no agent');
        report.requeuedLeases.push(task.id);
      }
    }
    if (report.enqueued.length + report.removedJobs.length + report.requeuedLeases.length > 0) {
      logger.info(report, 'reconciler repaired differences');
    }
    lastReport = report;
    return report;
  }

  /** A workspace's limits changed: apply them to its queue and let its agent look again. */
  async function workspaceChanged(ws: WorkspaceRow): Promise<void> {
    await syncConcurrency(ws);
    hub.emit('wake', ws.id);
  }

  function teamChanged(teamId: string): void {
    for (const ws of listWorkspaces(db, teamId)) hub.emit('wake', ws.id);
  }

  return {
    hub,
    config,
    createTask,
    enqueue,
    lease,
    heartbeat,
    turnStarted,
    turnFinished,
    followUp,
    kill,
    reconcile,
    lastReconcile: () => lastReport,
    workspaceChanged,
    teamChanged,
    sweep,
    workspaceProblems,
    isOnline,
    async start(): Promise<void> {
      await reconcile();
      sweepTimer = setInterval(() => void sweep(), config.sweepEveryMs);
      sweepTimer.unref();
      reconcileTimer = setInterval(() => {
        reconcile().catch((err: unknown) => logger.error({ err }, 'reconcile failed'));
      }, config.reconcileEveryMs);
      reconcileTimer.unref();
    },
    async close(): Promise<void> {
      if (sweepTimer) clearInterval(sweepTimer);
      if (reconcileTimer) clearInterval(reconcileTimer);
      await queues.close();
    },
    newLeaseToken: randomUUID,
  };
}

function addUsage(a: Record<string, number> | null, b: { [k: string]: number } | null): Record<string, number> | null {
  if (!b) return a;
  const out: Record<string, number> = { ...(a ?? {}) };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return out;
}

function failureMessage(body: TurnFinished): string {
  const s = body.summary;
  if (s.isError && s.result) return s.result.slice(0, 2000);
  if (s.resultSubtype && s.resultSubtype !== 'success') return `claude ended with ${s.resultSubtype}`;
  if (body.stderrTail) return body.stderrTail.slice(-2000);
  return `claude exited with code ${body.exitCode ?? 'none'}${body.signal ? ` (${body.signal})` : ''}`;
}
