import { TASK_STATUSES } from '@switchyard/core';
import { countTasksByStatus, countWaitingByWorkspace, listAgents, type DbHandle } from '@switchyard/db';
import type { Scheduler } from '@switchyard/scheduler';
import { Gauge, type Registry } from 'prom-client';
import type { WorkspaceNames } from './names.ts';

/** How stale a scrape may see the fleet gauges: their queries run at most this often. */
export const FLEET_REFRESH_MS = 5_000;

interface Snapshot {
  byStatus: Map<string, number>;
  queue: Map<string, number>;
  online: Map<string, number>;
  agents: number;
}

/**
 * Gauges of the fleet read from SQLite: tasks by status, queue depth and agents online by
 * workspace. A scrape reads a snapshot taken at most `refreshMs` ago, so however many scrapers
 * there are and however busy the API is, the counting queries run at most once per period.
 */
export class FleetGauges {
  private snapshot: Snapshot | null = null;
  private takenAt = 0;

  constructor(
    registry: Registry,
    private readonly deps: { db: DbHandle; scheduler: Pick<Scheduler, 'isOnline'>; names: WorkspaceNames; refreshMs?: number; now?: () => number },
  ) {
    const gauge = <L extends string>(name: string, help: string, labelNames: L[], set: (g: Gauge<L>, s: Snapshot) => void) => {
      const g: Gauge<L> = new Gauge<L>({
        name,
        help,
        labelNames,
        registers: [registry],
        collect: () => {
          const s = this.current();
          if (s) set(g, s);
        },
      });
    };
    gauge('switchyard_tasks', 'Tasks by status.', ['status'], (g, s) => {
      for (const status of TASK_STATUSES) g.set({ status }, s.byStatus.get(status) ?? 0);
    });
    gauge('switchyard_queue_depth', 'Tasks waiting per workspace (pool tasks not yet pinned under workspace="").', ['workspace'], (g, s) => setAll(g, s.queue));
    gauge('switchyard_agents_online', 'Agents that synced within the grace period, by workspace.', ['workspace'], (g, s) => setAll(g, s.online));
    gauge('switchyard_agents', 'Agents known.', [], (g, s) => g.set(s.agents));
  }

  /** The snapshot, retaken when older than the refresh period; the last one if SQLite fails. */
  private current(): Snapshot | null {
    const now = (this.deps.now ?? Date.now)();
    if (this.snapshot && now - this.takenAt < (this.deps.refreshMs ?? FLEET_REFRESH_MS)) return this.snapshot;
    try {
      this.snapshot = this.take();
      this.takenAt = now;
    } catch {
      // SQLite closed or busy: the scrape shows the last snapshot rather than failing.
    }
    return this.snapshot;
  }

  private take(): Snapshot {
    const { db, scheduler, names } = this.deps;
    names.refresh();
    // Every workspace has a series, 0 when idle: a panel shows it rather than a gap.
    const queue = new Map(names.all().map((n) => [n, 0]));
    const online = new Map(queue);
    for (const d of countWaitingByWorkspace(db.db)) queue.set(names.of(d.workspaceId), d.n);
    const agents = listAgents(db.db);
    for (const a of agents) {
      const ws = names.of(a.workspaceId);
      online.set(ws, (online.get(ws) ?? 0) + (scheduler.isOnline(a) ? 1 : 0));
    }
    return { byStatus: countTasksByStatus(db.db), queue, online, agents: agents.length };
  }
}

/** Sets a series per key and drops those gone since (a deleted workspace). */
function setAll(g: Gauge<string>, values: Map<string, number>): void {
  g.reset();
  for (const [workspace, n] of values) g.set({ workspace }, n);
}
