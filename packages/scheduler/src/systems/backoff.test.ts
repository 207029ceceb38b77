import { describe, expect, it } from 'vitest';
import { findTeam, findWorkspace, insertWorkspace, updateWorkspace } from '@switchyard/db';
import { useHarness } from '../test-support.ts';

const ctx = useHarness();

const ws = () => findWorkspace(ctx.h.db.db, ctx.h.ws.id)!;

describe('rate-limit backoff', () => {
  it('holds the workspace until the reset claude gave, then frees it', () => {
    const events: unknown[] = [];
    ctx.h.resources.hub.on('workspace', (e) => events.push(e));
    const until = ctx.h.sys.backoff.hit(ctx.h.ws.id, ctx.t + 60_000, ctx.t);
    expect(until).toBe(ctx.t + 60_000);
    expect(ws()).toMatchObject({ rateLimitedUntil: until, backoffLevel: 0 });
    expect(events).toEqual([{ workspaceId: ctx.h.ws.id, teamId: ctx.h.team.id, rateLimitedUntil: until }]);
    expect(ctx.h.sys.backoff.blockedUntil(ws())).toBe(until);
    ctx.t = until;
    expect(ctx.h.sys.backoff.blockedUntil(ws())).toBeNull();
  });

  it('backs off exponentially while no reset is known, and starts over after a turn gets through', () => {
    const first = ctx.h.sys.backoff.hit(ctx.h.ws.id, null, ctx.t) - ctx.t;
    expect(first).toBeGreaterThanOrEqual(15_000);
    expect(first).toBeLessThanOrEqual(30_000);
    const second = ctx.h.sys.backoff.hit(ctx.h.ws.id, null, ctx.t) - ctx.t;
    expect(second).toBeGreaterThanOrEqual(30_000);
    expect(second).toBeLessThanOrEqual(60_000);
    expect(ws().backoffLevel).toBe(2);
    ctx.h.sys.backoff.passed(ctx.h.ws.id);
    expect(ws().backoffLevel).toBe(0);
  });

  it('holds every workspace of the team when the workspace shares the team key', () => {
    updateWorkspace(ctx.h.db.db, ctx.h.ws.id, { rateLimitScope: 'team' });
    const mate = insertWorkspace(ctx.h.db.db, {
      name: 'mate',
      teamId: ctx.h.team.id,
      workdirRoots: ['/tmp'],
    });
    const until = ctx.h.sys.backoff.hit(ctx.h.ws.id, ctx.t + 10_000, ctx.t);
    expect(findTeam(ctx.h.db.db, ctx.h.team.id)?.rateLimitedUntil).toBe(until);
    expect(ws().rateLimitedUntil).toBeNull();
    expect(ctx.h.sys.backoff.blockedUntil(mate)).toBe(until);
    expect(ctx.h.sys.backoff.blockedUntil(ws())).toBe(until);
  });
});
