import { TASK_STATUSES } from '@switchyard/core';
import {
  countOutputLinesStored,
  countTasksByStatus,
  countWaitingByWorkspace,
  listAgents,
  listWorkspaces,
  type DbHandle,
} from '@switchyard/db';
import type { Hub, Scheduler } from '@switchyard/scheduler';

/** Counters that only this process sees, fed from the hub. */
export class Counters {
  rateLimitEvents = 0;
  leases = 0;

  constructor(hub: Hub) {
    hub.on('workspace', ({ rateLimitedUntil }) => {
      if (rateLimitedUntil) this.rateLimitEvents += 1;
    });
    hub.on('task', (t) => {
      if (t.status === 'dispatched') this.leases += 1;
    });
  }
}

/** Prometheus text exposition of the fleet: tasks by status, queue depth, agents, output. */
export function renderMetrics(h: DbHandle, scheduler: Scheduler, counters: Counters): string {
  const db = h.db;
  const out: string[] = [];
  const metric = (name: string, type: string, help: string, rows: [string, number][]) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of rows) out.push(`${name}${labels} ${value}`);
  };
  const byStatus = countTasksByStatus(db);
  metric('switchyard_tasks', 'gauge', 'Tasks by status.', TASK_STATUSES.map((s) => [`{status="${s}"}`, byStatus.get(s) ?? 0]));
  const depth = countWaitingByWorkspace(db);
  const names = new Map(listWorkspaces(db).map((w) => [w.id, w.name]));
  metric('switchyard_queue_depth', 'gauge', 'Tasks waiting per workspace (pool tasks under workspace="").', depth.map((d) => [`{workspace="${d.workspaceId ? (names.get(d.workspaceId) ?? d.workspaceId) : ''}"}`, d.n]));
  const agents = listAgents(db);
  metric('switchyard_agents_online', 'gauge', 'Agents that synced within the grace period.', [['', agents.filter((a) => scheduler.isOnline(a)).length]]);
  metric('switchyard_agents', 'gauge', 'Agents known.', [['', agents.length]]);
  metric('switchyard_output_lines_total', 'counter', 'Output lines stored.', [['', countOutputLinesStored(db)]]);
  metric('switchyard_rate_limit_events_total', 'counter', 'Rate limits reported by agents since this process started.', [['', counters.rateLimitEvents]]);
  metric('switchyard_leases_total', 'counter', 'Turns leased to agents since this process started.', [['', counters.leases]]);
  return `${out.join('\n')}\n`;
}
