import type { MiddlewareHandler } from 'hono';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { DbHandle } from '@switchyard/db';
import type { Scheduler } from '@switchyard/scheduler';
import { FleetGauges } from './fleet.ts';
import { httpMetrics, type HttpTimerEnd } from './http.ts';
import { WorkspaceNames } from './names.ts';
import { TaskMetrics, type OutputReader } from './tasks.ts';

export interface MetricsDeps {
  db: DbHandle;
  scheduler: Pick<Scheduler, 'hub' | 'isOnline'>;
  readOutput: OutputReader;
  /** How often at most the fleet gauges query SQLite. */
  refreshMs?: number;
}

export interface Metrics {
  /** Times every request by route template and status. */
  http: MiddlewareHandler;
  /** Starts timing a request Hono does not serve. */
  httpTimer(): HttpTimerEnd;
  /** The Prometheus text exposition, and its content type. */
  render(): Promise<{ body: string; contentType: string }>;
}

/**
 * This API process's metrics, in a registry of its own (not prom-client's global one, so that
 * several apps in one process each count their own): Node and process defaults, HTTP, task
 * latencies, ingestion and the fleet gauges.
 */
export function createMetrics(deps: MetricsDeps): Metrics {
  const registry = new Registry();
  const names = new WorkspaceNames(deps.db);
  new TaskMetrics(registry, { hub: deps.scheduler.hub, db: deps.db, names, readOutput: deps.readOutput });
  new FleetGauges(registry, { db: deps.db, scheduler: deps.scheduler, names, refreshMs: deps.refreshMs });
  const hub = deps.scheduler.hub;
  new Gauge({
    name: 'switchyard_agent_syncs_waiting',
    help: 'Agent long-polls (sync) waiting for work now',
    registers: [registry],
    collect() {
      this.set(hub.waiting());
    },
  });
  let defaults = false;
  const http = httpMetrics(registry);
  return {
    http: http.middleware,
    httpTimer: http.timer,
    async render() {
      // Started at the first scrape: an app that is never scraped (a unit test) sets up no monitors.
      if (!defaults) {
        collectDefaultMetrics({ register: registry });
        defaults = true;
      }
      return { body: await registry.metrics(), contentType: registry.contentType };
    },
  };
}
