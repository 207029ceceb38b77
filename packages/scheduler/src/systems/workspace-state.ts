import {
  findTeam,
  listAgents,
  poolWorkWaits,
  workspacesWithWaitingWork,
  listWorkspaces,
  type AgentRow,
  type TaskRow,
  type WorkspaceRow,
} from '@switchyard/db';
import { workspaceQueueName } from '../queues.ts';
import type { BackoffSystem } from './backoff.ts';
import type { SchedulerResources } from './resources.ts';

/** Whether workspaces and their agents can take work, and waking their long-polls when they can. */
export class WorkspaceState {
  constructor(
    private readonly r: SchedulerResources,
    private readonly backoff: BackoffSystem,
  ) {}

  isOnline(agent: AgentRow, t = this.r.clock()): boolean {
    return agent.lostAt === null && t - agent.lastSeenAt < this.r.config.graceSec * 1000;
  }

  /** Why a workspace takes no work now, in words; empty when it can take work. */
  problems(ws: WorkspaceRow, agent?: AgentRow): string[] {
    const problems: string[] = [];
    if (ws.paused) problems.push('workspace is paused');
    const blocked = this.backoff.blockedUntil(ws);
    if (blocked) problems.push(`rate limited until ${new Date(blocked).toISOString()}`);
    const agents = agent ? [agent] : listAgents(this.r.db.db, ws.id);
    const online = agents.filter((a) => this.isOnline(a));
    if (online.length === 0) problems.push('no agent online');
    else if (online.every((a) => a.problems.length > 0)) {
      problems.push(...new Set(online.flatMap((a) => a.problems)));
    }
    return problems;
  }

  /**
   * Wakes the agents that could run the task: its workspace's, or for a pool task one idle
   * agent of the team's pool (it wakes the next when it leases), never every pool workspace.
   */
  wakeFor(task: Pick<TaskRow, 'workspaceId' | 'teamId'>, delayMs = 0): void {
    if (delayMs > 0) {
      // Redis holds a delayed job back on its own; its workspace hears of it when it comes due.
      setTimeout(() => this.wakeFor(task), delayMs).unref();
      return;
    }
    if (task.workspaceId) return void this.r.hub.emit('wake', task.workspaceId);
    this.r.hub.wakePool(task.teamId);
  }

  /** Something team-wide changed (a quota, a rate limit): every workspace looks again. Rare. */
  teamChanged(teamId: string): void {
    for (const ws of listWorkspaces(this.r.db.db, teamId)) this.r.hub.emit('wake', ws.id);
  }

  /**
   * A task let go of its slot. Its workspace looks again; past that, only who the freed slot can
   * help: under a team running limit, the workspaces with work waiting; pool work, one idle pool
   * agent. A team of thousands of workspaces is not woken for every finished turn.
   */
  slotFreed(task: Pick<TaskRow, 'workspaceId' | 'teamId'>): void {
    const { db, hub } = this.r;
    if (task.workspaceId) hub.emit('wake', task.workspaceId);
    const team = findTeam(db.db, task.teamId);
    if (team?.maxRunning != null) {
      for (const id of workspacesWithWaitingWork(db.db, task.teamId)) {
        if (id !== task.workspaceId) hub.emit('wake', id);
      }
    }
    if (poolWorkWaits(db.db, task.teamId)) hub.wakePool(task.teamId);
  }

  /** Applies a workspace's concurrency to its queue. */
  async syncConcurrency(ws: WorkspaceRow): Promise<void> {
    await this.r.queues.setConcurrency(workspaceQueueName(ws.id), ws.maxConcurrency);
  }

  /** A workspace's limits changed: apply them to its queue and let its agent look again. */
  async changed(ws: WorkspaceRow): Promise<void> {
    await this.syncConcurrency(ws);
    this.r.hub.emit('wake', ws.id);
  }
}
