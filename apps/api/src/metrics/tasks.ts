import { isTerminal, type TaskStatus } from '@switchyard/core';
import { findTask, type DbHandle, type TaskRow } from '@switchyard/db';
import type { Hub } from '@switchyard/scheduler';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { WorkspaceNames } from './names.ts';

/** Reads stored output lines of a task, `(after, upTo]`: the task service's, memory first. */
export type OutputReader = (taskId: string, after: number, upTo: number, limit: number) => { line: string }[];

/** From a lease taken at once (ms) to a queue that waited for a slot (an hour). */
const BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];

/** What this process saw of a live task: enough to time its next step. */
interface Seen {
  status: string;
  workspace: string;
  seq: number;
  dispatchedAt?: number;
  startedAt?: number;
  firstOutput: boolean;
}

/** Live tasks tracked at most; the oldest is forgotten first (a task whose end was missed). */
const MAX_TRACKED = 10_000;

/**
 * Task latencies and output ingestion, observed from the hub's events as they happen: no query
 * per scrape. Task ids key the in-memory tracking only; labels are workspace names.
 */
export class TaskMetrics {
  private readonly seen = new Map<string, Seen>();
  private readonly toDispatch: Histogram<'workspace'>;
  private readonly toStart: Histogram<'workspace'>;
  private readonly toFirstOutput: Histogram<'workspace'>;
  private readonly lines: Counter<'workspace'>;
  private readonly bytes: Counter<'workspace'>;
  private readonly rateLimits: Counter<'workspace'>;

  constructor(
    registry: Registry,
    private readonly deps: { hub: Hub; db: DbHandle; names: WorkspaceNames; readOutput: OutputReader; now?: () => number },
  ) {
    const histogram = (name: string, help: string) =>
      new Histogram({ name, help, labelNames: ['workspace'] as const, buckets: BUCKETS, registers: [registry] });
    const counter = (name: string, help: string) => new Counter({ name, help, labelNames: ['workspace'] as const, registers: [registry] });
    this.toDispatch = histogram('switchyard_task_create_to_dispatch_seconds', 'From a turn queued (task created or followed up) to its lease by an agent.');
    this.toStart = histogram('switchyard_task_dispatch_to_start_seconds', 'From a lease to the agent reporting the turn started.');
    this.toFirstOutput = histogram('switchyard_task_start_to_first_output_seconds', 'From a turn started to its first output line stored.');
    this.lines = counter('switchyard_output_lines_ingested_total', 'Output lines stored from agents.');
    this.bytes = counter('switchyard_output_bytes_ingested_total', 'Bytes of output lines stored from agents (UTF-8).');
    this.rateLimits = counter('switchyard_rate_limit_events_total', 'Rate limits reported by agents.');
    // A listener that threw would throw into whoever emitted (a lease, an ingest): never let it.
    deps.hub.on('task', (t) => quietly(() => this.onTask(t)));
    deps.hub.on('output', ({ taskId, lastSeq }) => quietly(() => this.onOutput(taskId, lastSeq)));
    deps.hub.on('workspace', ({ workspaceId, rateLimitedUntil }) =>
      quietly(() => {
        if (rateLimitedUntil) this.rateLimits.inc({ workspace: deps.names.of(workspaceId) });
      }),
    );
  }

  private get now(): number {
    return (this.deps.now ?? Date.now)();
  }

  private onTask(t: TaskRow): void {
    const status = t.status as TaskStatus;
    if (isTerminal(status)) {
      this.seen.delete(t.id);
      return;
    }
    // A task just created has nothing to time yet: its dispatch is timed from the row's queuedAt.
    // Not tracking it keeps a long-lived entry per create out of the heap.
    if (status === 'queued' && !this.seen.has(t.id)) return;
    const s = this.track(t);
    if (s.status === status) return;
    s.status = status;
    s.workspace = this.deps.names.of(t.workspaceId);
    const labels = { workspace: s.workspace };
    // A transition stamps the row's updatedAt with the scheduler's clock, as queuedAt was.
    if (status === 'dispatched') {
      s.dispatchedAt = t.updatedAt;
      this.toDispatch.observe(labels, Math.max(0, t.updatedAt - t.queuedAt) / 1000);
    } else if (status === 'running') {
      // The first line is timed on this process's clock, as its arrival is.
      s.startedAt = this.now;
      if (s.dispatchedAt !== undefined) this.toStart.observe(labels, Math.max(0, t.updatedAt - s.dispatchedAt) / 1000);
    } else if (status === 'queued') {
      // A follow-up turn: its own dispatch, start and first line are timed afresh.
      Object.assign(s, { dispatchedAt: undefined, startedAt: undefined, firstOutput: false });
    }
  }

  private onOutput(taskId: string, lastSeq: number): void {
    let s = this.seen.get(taskId);
    if (!s) {
      // Output of a task this process saw nothing of yet (it restarted): count from the next batch.
      const row = safeFind(this.deps.db, taskId);
      if (row) this.track(row).seq = lastSeq;
      return;
    }
    const after = s.seq;
    if (lastSeq <= after) return;
    s.seq = lastSeq;
    const labels = { workspace: s.workspace };
    if (!s.firstOutput) {
      s.firstOutput = true;
      // Output stored before the start was reported is not a start-to-output time.
      if (s.startedAt !== undefined) this.toFirstOutput.observe(labels, (this.now - s.startedAt) / 1000);
    }
    this.lines.inc(labels, lastSeq - after);
    const stored = this.deps.readOutput(taskId, after, lastSeq, lastSeq - after);
    this.bytes.inc(labels, stored.reduce((n, l) => n + Buffer.byteLength(l.line, 'utf8'), 0));
  }

  private track(t: TaskRow): Seen {
    let s = this.seen.get(t.id);
    if (!s) {
      if (this.seen.size >= MAX_TRACKED) this.seen.delete(this.seen.keys().next().value!);
      s = { status: '', workspace: this.deps.names.of(t.workspaceId), seq: t.lastSeq, firstOutput: false };
      this.seen.set(t.id, s);
    }
    return s;
  }
}

function safeFind(h: DbHandle, taskId: string): TaskRow | undefined {
  let row: TaskRow | undefined;
  quietly(() => (row = findTask(h.db, taskId)));
  return row;
}

/** Runs `fn`; a failure (SQLite closed at shutdown) costs a sample, never the caller. */
function quietly(fn: () => void): void {
  try {
    fn();
  } catch {
    // dropped: metrics are best effort
  }
}
