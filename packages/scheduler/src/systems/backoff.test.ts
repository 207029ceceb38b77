import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { findTeam, findWorkspace, insertWorkspace, updateWorkspace } from '@switchyard/db';
import { createHarness, startRedis, type Harness, type RedisServer } from '../test-support.ts';

let redis: RedisServer;
let h: Harness;
let t: number;

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});
beforeEach(async () => {
  t = Date.UTC(2030, 0, 15, 12);
  h = await createHarness(redis.url, () => t);
});
afterEach(async () => {
  await h?.close();
});

const ws = () => findWorkspace(h.db.db, h.ws.id)!;

describe('rate-limit backoff', () => {
  it('holds the workspace until the reset claude gave, then frees it', () => {
    const events: unknown[] = [];
    h.resources.hub.on('workspace', (e) => events.push(e));
    const until = h.sys.backoff.hit(h.ws.id, t + 60_000, t);
    expect(until).toBe(t + 60_000);
    expect(ws()).toMatchObject({ rateLimitedUntil: until, backoffLevel: 0 });
    expect(events).toEqual([{ workspaceId: h.ws.id, teamId: h.team.id, rateLimitedUntil: until }]);
    expect(h.sys.backoff.blockedUntil(ws())).toBe(until);
    t = until;
    expect(h.sys.backoff.blockedUntil(ws())).toBeNull();
  });

  it('backs off exponentially while no reset is known, and starts over after a turn gets through', () => {
    const first = h.sys.backoff.hit(h.ws.id, null, t) - t;
    expect(first).toBeGreaterThanOrEqual(15_000);
    expect(first).toBeLessThanOrEqual(30_000);
    const second = h.sys.backoff.hit(h.ws.id, null, t) - t;
    expect(second).toBeGreaterThanOrEqual(30_000);
    expect(second).toBeLessThanOrEqual(60_000);
    expect(ws().backoffLevel).toBe(2);
    h.sys.backoff.passed(h.ws.id);
    expect(ws().backoffLevel).toBe(0);
  });

  it('holds every workspace of the team when the workspace shares the team key', () => {
    updateWorkspace(h.db.db, h.ws.id, { rateLimitScope: 'team' });
    const mate = insertWorkspace(h.db.db, {
      name: 'mate',
      teamId: h.team.id,
      workdirRoots: ['/tmp'],
    });
    const until = h.sys.backoff.hit(h.ws.id, t + 10_000, t);
    expect(findTeam(h.db.db, h.team.id)?.rateLimitedUntil).toBe(until);
    expect(ws().rateLimitedUntil).toBeNull();
    expect(h.sys.backoff.blockedUntil(mate)).toBe(until);
    expect(h.sys.backoff.blockedUntil(ws())).toBe(until);
  });
});
