import {
  findTeam,
  findWorkspace,
  listWorkspaces,
  setTeamRateLimit,
  updateWorkspace,
  type WorkspaceRow,
} from '@switchyard/db';
import { rateLimitBackoffMs } from '../backoff.ts';
import type { SchedulerResources } from './resources.ts';

/**
 * Rate-limit backoff: how long a workspace (or its whole team, when they share a key) waits
 * after claude hit a limit, and whether it is waiting now.
 */
export class BackoffSystem {
  constructor(private readonly r: SchedulerResources) {}

  /** Until when the workspace takes no work because of its own or its team's limit; null if not. */
  blockedUntil(ws: WorkspaceRow, t = this.r.clock()): number | null {
    const team = findTeam(this.r.db.db, ws.teamId);
    const until = Math.max(ws.rateLimitedUntil ?? 0, team?.rateLimitedUntil ?? 0);
    return until > t ? until : null;
  }

  /**
   * Records a rate limit hit at `t` and returns until when the workspace (or team) waits: the
   * reset time claude gave, else an exponential backoff that grows with each limit in a row.
   * Call inside the transaction that records the turn.
   */
  hit(workspaceId: string, resetsAt: number | null | undefined, t: number): number {
    const db = this.r.db.db;
    const ws = findWorkspace(db, workspaceId)!;
    const until = resetsAt && resetsAt > t ? resetsAt : t + rateLimitBackoffMs(ws.backoffLevel);
    updateWorkspace(db, ws.id, { backoffLevel: resetsAt ? 0 : ws.backoffLevel + 1 });
    if (ws.rateLimitScope === 'team') setTeamRateLimit(db, ws.teamId, until);
    else updateWorkspace(db, ws.id, { rateLimitedUntil: until });
    this.r.hub.emit('workspace', {
      workspaceId: ws.id,
      teamId: ws.teamId,
      rateLimitedUntil: until,
    });
    this.wakeWhenOver(ws, until - t);
    return until;
  }

  /** Long-polls wait for events, not a timer: the agents held back hear when the wait is over. */
  private wakeWhenOver(ws: WorkspaceRow, ms: number): void {
    const wake = (): void => {
      if (ws.rateLimitScope !== 'team') return void this.r.hub.emit('wake', ws.id);
      try {
        for (const w of listWorkspaces(this.r.db.db, ws.teamId)) this.r.hub.emit('wake', w.id);
      } catch {
        // The database closed (shutdown) before the limit ended: nobody is waiting.
      }
    };
    setTimeout(wake, Math.min(Math.max(0, ms), 2 ** 31 - 1)).unref();
  }

  /** A turn got through: the next limit starts the backoff from the bottom again. */
  passed(workspaceId: string | null): void {
    const ws = workspaceId ? findWorkspace(this.r.db.db, workspaceId) : undefined;
    if (ws && ws.backoffLevel > 0) updateWorkspace(this.r.db.db, ws.id, { backoffLevel: 0 });
  }
}
