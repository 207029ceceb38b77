import { DEFAULT_APPROVAL_POLICY, modeMayAsk, type ClaudeOptions, type Lease } from '@switchyard/core';
import {
  countTasks,
  findAgent,
  findTask,
  findTeam,
  findTurn,
  findWorkspace,
  listWorkspaces,
  oldestQueued,
  transitionTask,
  updateWorkspace,
  workMayWait,
  type AgentRow,
  type TaskRow,
  type WorkspaceRow,
} from '@switchyard/db';
import { poolQueueName, workspaceQueueName, type LeasedJob } from '../queues.ts';
import { ACTIVE, emitTask, type SchedulerResources } from './resources.ts';
import type { WorkspaceState } from './workspace-state.ts';

type Grant = { kind: 'lease'; lease: Lease } | { kind: 'stale' } | { kind: 'full' };

/**
 * Hands queued turns to agents: as many as the agent has free slots, the workspace's
 * concurrency and the team's running limit allow, with a freed team slot going to the
 * workspace that has waited longest.
 */
export class LeasingSystem {
  constructor(
    private readonly r: SchedulerResources,
    private readonly workspaces: WorkspaceState,
  ) {}

  /** New leases for an agent with `freeSlots`, from its workspace queue and its team pool. */
  async lease(agentId: string, freeSlots: number): Promise<Lease[]> {
    const db = this.r.db.db;
    const agent = findAgent(db, agentId);
    if (!agent) return [];
    const ws = findWorkspace(db, agent.workspaceId)!;
    if (this.workspaces.problems(ws, agent).length > 0) return [];
    await this.workspaces.syncConcurrency(ws);
    const active = countTasks(db, { workspaceId: ws.id, statuses: ACTIVE });
    let room = Math.min(freeSlots, ws.maxConcurrency - active);
    const leases: Lease[] = [];
    let pooled = false;
    const pool = poolQueueName(ws.teamId);
    const names = [
      ...(workMayWait(db, ws.id) ? [workspaceQueueName(ws.id)] : []),
      ...(ws.pool && workMayWait(db, ws.id, { teamId: ws.teamId }) ? [pool] : []),
    ];
    for (const name of names) {
      while (room > 0) {
        const job = await this.r.queues.lease(name);
        if (!job) break;
        const g = await this.offer(agent, ws, name, job);
        if (g.kind === 'lease') {
          leases.push(g.lease);
          room -= 1;
          pooled ||= name === pool;
        } else if (g.kind === 'full') {
          room = 0;
        }
      }
    }
    // Pool work wakes one idle pool agent at a time: this one took some, the next looks for more.
    if (pooled) this.r.hub.wakePool(ws.teamId);
    return leases;
  }

  /**
   * Among the other workspaces of a team that could start work now, the one whose oldest
   * queued task has waited longest, with the time it started waiting.
   */
  longestWaiting(
    teamId: string,
    exceptWorkspaceId: string,
  ): { workspaceId: string; since: number } | null {
    const db = this.r.db.db;
    let best: { workspaceId: string; since: number } | null = null;
    for (const other of listWorkspaces(db, teamId)) {
      if (other.id === exceptWorkspaceId || this.workspaces.problems(other).length > 0) continue;
      const active = countTasks(db, { workspaceId: other.id, statuses: ACTIVE });
      if (active >= other.maxConcurrency) continue;
      const oldest = oldestQueued(db, other.id);
      if (oldest && (!best || oldest.queuedAt < best.since)) {
        best = { workspaceId: other.id, since: oldest.queuedAt };
      }
    }
    return best;
  }

  /** Grants a leased job to the agent, or gives the job back as its grant says. */
  private async offer(
    agent: AgentRow,
    ws: WorkspaceRow,
    name: string,
    job: LeasedJob,
  ): Promise<Grant> {
    const { queues, logger } = this.r;
    if (job.stalledReason) {
      // BullMQ marked it stalled: never run it again silently.
      logger.warn({ jobId: job.jobId, reason: job.stalledReason }, 'stalled job refused');
      await queues
        .failStalled(name, job.jobId, job.token, job.stalledReason)
        .catch(() => undefined);
      return { kind: 'stale' };
    }
    const g = this.grant(agent, ws, name, job);
    if (g.kind === 'stale')
      await queues.complete(name, job.jobId, job.token).catch(() => undefined);
    if (g.kind === 'full') await queues.returnToWait(name, job.jobId, job.token);
    return g;
  }

  /** Decides in one SQLite transaction whether this agent may run the job's task. */
  private grant(agent: AgentRow, ws: WorkspaceRow, queueName: string, job: LeasedJob): Grant {
    const { db: h, hub, clock } = this.r;
    const db = h.db;
    return h.tx((): Grant => {
      const task = findTask(db, job.data.taskId);
      if (!task || task.currentTurn !== job.data.turn) return { kind: 'stale' };
      if (!['queued', 'rate_limited'].includes(task.status)) return { kind: 'stale' };
      if (task.workspaceId && task.workspaceId !== ws.id) return { kind: 'stale' };
      if (countTasks(db, { workspaceId: ws.id, statuses: ACTIVE }) >= ws.maxConcurrency) {
        return { kind: 'full' };
      }
      const team = findTeam(db, ws.teamId)!;
      if (team.maxRunning !== null) {
        const running = countTasks(db, { teamId: team.id, statuses: ACTIVE });
        if (running >= team.maxRunning) return { kind: 'full' };
        const waiting = this.longestWaiting(team.id, ws.id);
        if (waiting && waiting.since < task.queuedAt) {
          // A freed team slot goes to the workspace that has waited longest.
          hub.emit('wake', waiting.workspaceId);
          return { kind: 'full' };
        }
      }
      const t = clock();
      const patch = {
        leaseToken: job.token,
        agentId: agent.id,
        workspaceId: ws.id,
        jobId: job.jobId,
        queueName,
        rateLimitedUntil: null,
      };
      const reason = `leased to agent ${agent.hostname}`;
      const row = transitionTask(db, task, 'dispatched', patch, { reason, now: t });
      updateWorkspace(db, ws.id, { lastGrantAt: t });
      emitTask(hub, row);
      return { kind: 'lease', lease: this.leaseOf(row, job.token, ws) };
    });
  }

  private leaseOf(task: TaskRow, token: string, ws: WorkspaceRow): Lease {
    const options = task.options as ClaudeOptions;
    const turn = findTurn(this.r.db.db, task.id, task.currentTurn);
    const mode = options.permissionMode ?? ws.defaultPermissionMode;
    return {
      taskId: task.id,
      turn: task.currentTurn,
      leaseToken: token,
      prompt: turn?.prompt ?? task.prompt,
      // An earlier attempt of this turn started claude (then hit a rate limit or an API error):
      // the session holds the prompt already.
      continuation: turn?.startedAt != null,
      sessionId: task.sessionId,
      // Any earlier turn or attempt that started made the session: continue it.
      resume: task.startedAt !== null,
      workdir: task.workdir,
      // A pool task names no mode until it lands: the leasing workspace's default applies.
      options: { ...options, permissionMode: mode },
      maxDurationSec: task.maxDurationSec,
      idleTimeoutSec: task.idleTimeoutSec,
      startSeq: task.lastSeq + 1,
      // The permission model: the agent checks the task again against its workspace's ceiling.
      ceiling: { permissionModes: ws.permissionModes, allowedTools: ws.allowedTools, disallowedTools: ws.disallowedTools },
      workspaceOptions: { addDirs: ws.addDirs, mcpConfig: ws.mcpConfig, settings: ws.settings, systemPrompt: ws.systemPrompt },
      // Approvals (#15): only where the mode may ask; the policy's timeout, not the CLI's, decides.
      ...(modeMayAsk(mode) ? { approvals: { timeoutSec: (ws.approvalPolicy ?? DEFAULT_APPROVAL_POLICY).timeoutSec } } : {}),
    };
  }
}
