import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { useHarness } from '../test-support.ts';
import { TaskService } from '../tasks/service.ts';
import { FleetGauges } from './fleet.ts';
import { WorkspaceNames } from './names.ts';

const ctx = useHarness();

const queueDepth = async (registry: Registry): Promise<number> => {
  const m = /^switchyard_queue_depth\{workspace="w"\} (\d+)$/m.exec(await registry.metrics());
  return Number(m?.[1]);
};

describe('fleet gauges', () => {
  it('answer scrapes from a snapshot no older than the refresh period, not a query per scrape', async () => {
    const registry = new Registry();
    let now = 1_000_000;
    new FleetGauges(registry, { db: ctx.h.db, scheduler: ctx.h.scheduler, names: new WorkspaceNames(ctx.h.db), refreshMs: 5_000, now: () => now });
    expect(await queueDepth(registry)).toBe(0);
    await new TaskService(ctx.h.deps).create(ctx.h.admin, { workspace: 'w', prompt: 'count me', workdir: '/tmp' });
    // However often it is scraped meanwhile, the snapshot stands until the period is over…
    for (let i = 0; i < 20; i++) expect(await queueDepth(registry)).toBe(0);
    now += 4_999;
    expect(await queueDepth(registry)).toBe(0);
    now += 1;
    // …and then the next scrape sees the task waiting.
    expect(await queueDepth(registry)).toBe(1);
  });

  it('gives every workspace a series, idle ones at 0, named rather than by id', async () => {
    const registry = new Registry();
    new FleetGauges(registry, { db: ctx.h.db, scheduler: ctx.h.scheduler, names: new WorkspaceNames(ctx.h.db) });
    const text = await registry.metrics();
    expect(text).toMatch(/^switchyard_agents_online\{workspace="w"\} 0$/m);
    expect(text).not.toContain(ctx.h.workspace.id);
  });
});
