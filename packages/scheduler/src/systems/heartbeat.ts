import type { AgentCommand, RunningTurn, TaskStatus } from '@switchyard/core';
import {
  findAgent,
  findTask,
  listAgentTasks,
  transitionTask,
  updateTask,
  updateTurn,
  type TaskRow,
} from '@switchyard/db';
import type { JobSystem } from './jobs.ts';
import { ACTIVE, emitTask, type SchedulerResources } from './resources.ts';

/** How old a lease must be before its absence from the agent's turns means it was lost. */
export const LEASE_LOST_MS = 5_000;

/** Why a running turn its agent stopped reporting was settled. */
export const FORGOTTEN_REASON = 'agent no longer reports this turn';

/** A running turn missing from its agent's syncs: since when, and in which syncs. */
interface Missing {
  since: number;
  syncs: Set<number>;
}

/**
 * An agent's sync: its leases stay locked while it lives, a lease it never received goes
 * back to the queue, and it hears which of its turns to kill or abandon. It reads the agent's own
 * tasks through an index, never the fleet's.
 */
export class HeartbeatSystem {
  /**
   * Running turns their agent did not report, by agent and `taskId/turn`. Lost on restart: it
   * counts anew.
   */
  private readonly missing = new Map<string, Map<string, Missing>>();

  constructor(
    private readonly r: SchedulerResources,
    private readonly jobs: JobSystem,
  ) {}

  /** Extends the locks of this agent's leases; returns commands for it. */
  async heartbeat(
    agentId: string,
    running: RunningTurn[],
    syncStartedAt = this.r.clock(),
  ): Promise<AgentCommand[]> {
    const before = listAgentTasks(this.r.db.db, agentId);
    await this.returnUnreceived(before, running, syncStartedAt);
    await this.settleForgotten(agentId, before, running, syncStartedAt);
    const mine = listAgentTasks(this.r.db.db, agentId);
    await this.extendLocks(mine);
    const commands: AgentCommand[] = [];
    for (const task of mine) {
      if (task.killRequestedAt !== null) {
        const reason = task.killReason ?? 'killed by request';
        commands.push({ type: 'kill', taskId: task.id, reason });
      }
    }
    return [...commands, ...this.abandoned(agentId, running)];
  }

  /**
   * Leased before the agent's last sync began yet not among its turns: the answer that
   * carried the lease was lost. The turn never started, so it goes back to the queue.
   */
  private async returnUnreceived(
    tasks: TaskRow[],
    running: RunningTurn[],
    since: number,
  ): Promise<void> {
    const held = new Set(running.map((r) => `${r.taskId}/${r.turn}`));
    for (const task of tasks.filter((t) => t.status === 'dispatched')) {
      if (task.updatedAt < since - LEASE_LOST_MS && !held.has(`${task.id}/${task.currentTurn}`)) {
        await this.jobs.returnLease(task, 'the agent never received the lease');
      }
    }
  }

  /**
   * A running turn the agent, alive and syncing, no longer reports (its state and pane gone) is
   * settled as lost once it is missing from two syncs and for `forgottenTurnMs`: it started, so
   * its session cannot be re-run. A sync that began before the turn started proves nothing.
   */
  private async settleForgotten(
    agentId: string,
    tasks: TaskRow[],
    running: RunningTurn[],
    since: number,
  ): Promise<void> {
    const { db: h, clock, config, hub } = this.r;
    const held = new Set(running.map((r) => `${r.taskId}/${r.turn}`));
    const mine = tasks.filter((t) => t.status === 'running');
    const keys = new Set(mine.map((t) => `${t.id}/${t.currentTurn}`));
    const missing = this.missing.get(agentId) ?? new Map<string, Missing>();
    for (const key of missing.keys()) if (!keys.has(key)) missing.delete(key);
    for (const task of mine) {
      const key = `${task.id}/${task.currentTurn}`;
      if (held.has(key) || task.updatedAt >= since) {
        missing.delete(key);
        continue;
      }
      const m = missing.get(key) ?? { since: clock(), syncs: new Set<number>() };
      m.syncs.add(since);
      missing.set(key, m);
      if (m.syncs.size < 2 || clock() - m.since < config.forgottenTurnMs) continue;
      missing.delete(key);
      const row = h.tx(() => this.forgotten(agentId, task.id, task.currentTurn));
      if (!row) continue;
      this.r.logger.warn({ taskId: task.id, agentId }, FORGOTTEN_REASON);
      emitTask(hub, row);
      await this.jobs.dropJob(task);
      this.jobs.freed(row);
    }
    if (missing.size > 0) this.missing.set(agentId, missing);
    else this.missing.delete(agentId);
  }

  /** Marks the turn lost if it is still the one found missing. Runs in the caller's tx. */
  private forgotten(agentId: string, taskId: string, turn: number): TaskRow | null {
    const db = this.r.db.db;
    const cur = findTask(db, taskId);
    if (!cur || cur.status !== 'running' || cur.agentId !== agentId || cur.currentTurn !== turn) {
      return null;
    }
    const t = this.r.clock();
    const host = findAgent(db, agentId)?.hostname ?? agentId;
    const turnPatch = { status: 'lost', outcome: 'lost', finishedAt: t, reason: FORGOTTEN_REASON };
    updateTurn(db, taskId, turn, turnPatch);
    const patch = {
      finishedAt: t,
      errorCode: 'agent_lost',
      errorMessage: `${FORGOTTEN_REASON} (agent ${host} syncs without it)`,
    };
    return transitionTask(db, cur, 'lost', patch, { reason: FORGOTTEN_REASON, now: t });
  }

  /**
   * Extends the locks of the agent's leases. A lock Redis lost (a restart, an outage past the lock
   * time) is taken again; a job Redis lost is let go: SQLite, the record of truth, still holds the
   * turn and its slot, so the turn runs on and ends normally.
   */
  private async extendLocks(tasks: TaskRow[]): Promise<void> {
    const byQueue = new Map<string, TaskRow[]>();
    for (const task of tasks) {
      if (!task.jobId || !task.queueName || !task.leaseToken) continue;
      byQueue.set(task.queueName, [...(byQueue.get(task.queueName) ?? []), task]);
    }
    for (const [name, list] of byQueue) {
      try {
        const ids = list.map((x) => x.jobId!);
        const tokens = list.map((x) => x.leaseToken!);
        const failed = new Set(await this.r.queues.extendLocks(name, ids, tokens));
        for (const task of list.filter((x) => failed.has(x.jobId!))) await this.relock(name, task);
      } catch (err) {
        this.r.logger.warn({ err, queue: name }, 'could not extend leases');
      }
    }
  }

  private async relock(name: string, task: TaskRow): Promise<void> {
    const { db: h, clock, logger } = this.r;
    const result = await this.r.queues.relock(name, task.jobId!, task.leaseToken!);
    logger.warn({ taskId: task.id, jobId: task.jobId, result }, 'a lease lock Redis lost, retaken');
    if (result !== 'gone') return;
    h.tx(() => {
      const cur = findTask(h.db, task.id);
      if (cur?.jobId === task.jobId && ACTIVE.includes(cur.status as TaskStatus)) {
        updateTask(h.db, task.id, { jobId: null }, clock());
      }
    });
  }

  /** Turns the agent runs that the API no longer expects from it. */
  private abandoned(agentId: string, running: RunningTurn[]): AgentCommand[] {
    const commands: AgentCommand[] = [];
    for (const r of running) {
      const task = findTask(this.r.db.db, r.taskId);
      const current =
        task &&
        task.agentId === agentId &&
        task.currentTurn === r.turn &&
        ACTIVE.includes(task.status as TaskStatus);
      // A turn that finished but whose report has not arrived is still expected.
      const awaitingReport = task && task.currentTurn === r.turn && !r.alive;
      if (!current && !awaitingReport) {
        const reason = task ? `task is ${task.status}` : 'unknown task';
        commands.push({ type: 'abandon', taskId: r.taskId, reason });
      }
    }
    return commands;
  }
}
