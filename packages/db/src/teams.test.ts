import { describe, expect, it } from 'vitest';
import { findTeam, insertTeam, setQuota, setTeamRateLimit } from './teams.ts';
import { useTempDb } from './test-support.ts';

const ctx = useTempDb();
const noQuota = { maxRunning: null, maxQueued: null, tasksPerDay: null, monthlyBudgetUsd: null };

describe('findTeam', () => {
  it('finds by id or name and follows each quota and rate limit', () => {
    const team = insertTeam(ctx.h.db, 'red');
    expect(findTeam(ctx.h.db, 'red')?.id).toBe(team.id);
    expect(findTeam(ctx.h.db, team.id)?.maxQueued).toBeNull();
    setQuota(ctx.h.db, team.id, { ...noQuota, maxQueued: 3 });
    expect(findTeam(ctx.h.db, 'red')?.maxQueued).toBe(3);
    setTeamRateLimit(ctx.h.db, team.id, 1234);
    expect(findTeam(ctx.h.db, team.id)?.rateLimitedUntil).toBe(1234);
    expect(findTeam(ctx.h.db, 'blue')).toBeUndefined();
    insertTeam(ctx.h.db, 'blue');
    expect(findTeam(ctx.h.db, 'blue')?.name).toBe('blue');
  });

  it('does not keep what a transaction wrote and then rolled back', () => {
    const team = insertTeam(ctx.h.db, 'red');
    expect(findTeam(ctx.h.db, 'red')?.maxQueued).toBeNull();
    expect(() =>
      ctx.h.tx(() => {
        setQuota(ctx.h.db, team.id, { ...noQuota, maxQueued: 1 });
        expect(findTeam(ctx.h.db, 'red')?.maxQueued).toBe(1);
        throw new Error('rolled back');
      }),
    ).toThrow('rolled back');
    expect(findTeam(ctx.h.db, 'red')?.maxQueued).toBeNull();
  });
});
