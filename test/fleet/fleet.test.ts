import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useApi } from '../support/api.ts';
import { createFleetTask, inBatches, SimFleet } from './sim-fleet.ts';

const ctx = useApi();
const TEAM = 'fleet';
const AGENTS = 300;
const TASKS = 600;

let probe: Redis;
beforeAll(() => {
  probe = new Redis(ctx.redis.url);
});
afterAll(async () => {
  await probe?.quit();
});

/** Connections open on Redis now, and opened since it started. */
async function connections(): Promise<{ open: number; opened: number }> {
  const info = await probe.info();
  const n = (key: string) => Number(new RegExp(`${key}:(\\d+)`).exec(info)![1]);
  return { open: n('connected_clients'), opened: n('total_connections_received') };
}

describe('a fleet of a few hundred agents', () => {
  it('completes every task once, on a Redis connection count that does not grow with the fleet', async () => {
    const fleet = await SimFleet.create(ctx.api, { team: TEAM, size: AGENTS, poolEvery: 10 });
    fleet.start();
    try {
      // Warm up: one task through, so every connection the API keeps is open.
      const first = await createFleetTask(ctx.api, fleet, TEAM, 1);
      await expect.poll(() => fleet.stats.completedAt.has(first.id), { timeout: 20_000 }).toBe(true);
      const before = await connections();

      const created = [first.id];
      await inBatches(
        Array.from({ length: TASKS - 1 }, (_, i) => i + 2),
        16,
        async (i) => void created.push((await createFleetTask(ctx.api, fleet, TEAM, i)).id),
      );
      await expect
        .poll(() => created.filter((id) => !fleet.stats.completedAt.has(id)).length, { timeout: 45_000, interval: 250 })
        .toBe(0);

      const after = await connections();
      // Every lease of every workspace went over the API's own connections: none opened.
      expect(after.opened - before.opened).toBe(0);
      expect(after.open).toBe(before.open);
      // Each task was leased once and ran once.
      expect([...fleet.stats.leases.values()].filter((n) => n > 1)).toEqual([]);
      const ranTwice = ctx.api.db.sqlite
        .prepare("select task_id from task_events where to_status = 'running' group by task_id having count(*) > 1")
        .all();
      expect(ranTwice).toEqual([]);
      const byStatus = ctx.api.db.sqlite
        .prepare("select status, count(*) as n from tasks t join workspaces w on w.id = t.workspace_id join teams m on m.id = w.team_id where m.name = ? group by status")
        .all(TEAM);
      expect(byStatus).toEqual([{ status: 'completed', n: TASKS }]);
      expect(fleet.stats.errors, fleet.stats.lastError ?? '').toBe(0);
    } finally {
      await fleet.stop();
    }
  });
});
