import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { TaskRow } from '@switchyard/db';
import { Hub } from '@switchyard/scheduler';
import { useHarness } from '../test-support.ts';
import { TaskService } from '../tasks/service.ts';
import { WorkspaceNames } from './names.ts';
import { TaskMetrics } from './tasks.ts';

const ctx = useHarness();

/** A sample's value by metric name (with suffix) and labels, from prom-client's own JSON. */
async function value(registry: Registry, name: string, labels: Record<string, string> = { workspace: 'w' }): Promise<number | undefined> {
  for (const m of await registry.getMetricsAsJSON()) {
    for (const v of m.values as { metricName?: string; labels: Record<string, string | number>; value: number }[]) {
      const metric = v.metricName ?? m.name;
      if (metric === name && Object.entries(labels).every(([k, l]) => v.labels[k] === l)) return v.value;
    }
  }
  return undefined;
}

describe('task metrics', () => {
  it('time each step of a turn from the rows the hub carries, and count its output once', async () => {
    // A hub of its own: the rows are fed by hand, with the timestamps the scheduler would stamp.
    const hub = new Hub();
    const registry = new Registry();
    let now = 5_000_000;
    const lines = ['{"type":"system"}', '{"type":"assistant","text":"é"}', '{"type":"result"}', 'x', 'yz'];
    const readOutput = (_id: string, after: number, upTo: number) => lines.slice(after, upTo).map((line) => ({ line }));
    new TaskMetrics(registry, { hub, db: ctx.h.db, names: new WorkspaceNames(ctx.h.db), readOutput, now: () => now });
    const { task } = await new TaskService(ctx.h.deps).create(ctx.h.admin, { workspace: 'w', prompt: 'time me', workdir: '/tmp' });
    const at = (status: string, updatedAt: number, extra: Partial<TaskRow> = {}): TaskRow => ({ ...task, status, updatedAt, ...extra });

    hub.emit('task', at('queued', task.queuedAt));
    hub.emit('task', at('dispatched', task.queuedAt + 1_500));
    hub.emit('task', at('dispatched', task.queuedAt + 1_600)); // a heartbeat: same status, no new sample
    hub.emit('task', at('running', task.queuedAt + 1_750));
    now += 2_000;
    hub.emit('output', { taskId: task.id, lastSeq: 3 });
    hub.emit('output', { taskId: task.id, lastSeq: 3 }); // a retried batch stores nothing new
    hub.emit('output', { taskId: task.id, lastSeq: 5 });

    expect(await value(registry, 'switchyard_task_create_to_dispatch_seconds_count')).toBe(1);
    expect(await value(registry, 'switchyard_task_create_to_dispatch_seconds_sum')).toBe(1.5);
    expect(await value(registry, 'switchyard_task_dispatch_to_start_seconds_sum')).toBe(0.25);
    expect(await value(registry, 'switchyard_task_start_to_first_output_seconds_sum')).toBe(2);
    expect(await value(registry, 'switchyard_task_start_to_first_output_seconds_count')).toBe(1);
    expect(await value(registry, 'switchyard_output_lines_ingested_total')).toBe(5);
    expect(await value(registry, 'switchyard_output_bytes_ingested_total')).toBe(lines.reduce((n, l) => n + Buffer.byteLength(l), 0));

    // A follow-up turn is timed afresh from its own queuing.
    hub.emit('task', at('completed', task.queuedAt + 9_000));
    hub.emit('task', at('queued', task.queuedAt + 20_000, { queuedAt: task.queuedAt + 20_000, lastSeq: 5 }));
    hub.emit('task', at('dispatched', task.queuedAt + 20_100, { queuedAt: task.queuedAt + 20_000, lastSeq: 5 }));
    expect(await value(registry, 'switchyard_task_create_to_dispatch_seconds_count')).toBe(2);
    expect(await value(registry, 'switchyard_task_create_to_dispatch_seconds_sum')).toBeCloseTo(1.6);
  });

  it('keeps timing a running task however long the backlog queued behind it', async () => {
    const hub = new Hub();
    const registry = new Registry();
    let now = 5_000_000;
    new TaskMetrics(registry, { hub, db: ctx.h.db, names: new WorkspaceNames(ctx.h.db), readOutput: () => [{ line: 'x' }], now: () => now });
    const { task } = await new TaskService(ctx.h.deps).create(ctx.h.admin, { workspace: 'w', prompt: 'first', workdir: '/tmp' });
    hub.emit('task', { ...task, status: 'dispatched', updatedAt: task.queuedAt + 10 });
    hub.emit('task', { ...task, status: 'running', updatedAt: task.queuedAt + 20 });
    // More creates than the tracker keeps: they used to push the running task out of it.
    for (let i = 0; i < 10_001; i++) hub.emit('task', { ...task, id: `tsk_backlog${i}`, status: 'queued' });
    now += 3_000;
    hub.emit('output', { taskId: task.id, lastSeq: 1 });
    expect(await value(registry, 'switchyard_task_start_to_first_output_seconds_count')).toBe(1);
    expect(await value(registry, 'switchyard_task_start_to_first_output_seconds_sum')).toBe(3);
  });

  it('counts a rate limit against the workspace by name', async () => {
    const hub = new Hub();
    const registry = new Registry();
    new TaskMetrics(registry, { hub, db: ctx.h.db, names: new WorkspaceNames(ctx.h.db), readOutput: () => [] });
    hub.emit('workspace', { workspaceId: ctx.h.workspace.id, teamId: ctx.h.team.id, rateLimitedUntil: Date.now() + 60_000 });
    hub.emit('workspace', { workspaceId: ctx.h.workspace.id, teamId: ctx.h.team.id, rateLimitedUntil: null }); // lifted: not an event
    expect(await value(registry, 'switchyard_rate_limit_events_total')).toBe(1);
  });
});
