import { describe, expect, it } from 'vitest';
import { insertTeam } from './teams.ts';
import { useTempDb } from './test-support.ts';
import { findWorkspaceSettings, insertWorkspace, listPoolSettings, updateWorkspace } from './workspaces.ts';

const ctx = useTempDb();

describe('listPoolSettings', () => {
  it('follows every change of a pool settings and keeps its copy through grants and rate limits', () => {
    const team = insertTeam(ctx.h.db, 'pool');
    const a = insertWorkspace(ctx.h.db, { name: 'a', teamId: team.id, workdirRoots: ['/a'], pool: true });
    insertWorkspace(ctx.h.db, { name: 'solo', teamId: team.id, workdirRoots: ['/s'] });
    expect(listPoolSettings(ctx.h.db, team.id).map((w) => w.name)).toEqual(['a']);

    const b = insertWorkspace(ctx.h.db, { name: 'b', teamId: team.id, workdirRoots: ['/b'], pool: true });
    expect(listPoolSettings(ctx.h.db, team.id).map((w) => w.name)).toEqual(['a', 'b']);

    updateWorkspace(ctx.h.db, a.id, { permissionModes: ['default'] });
    expect(listPoolSettings(ctx.h.db, team.id).find((w) => w.id === a.id)?.permissionModes).toEqual(['default']);
    updateWorkspace(ctx.h.db, b.id, { pool: false });
    const members = listPoolSettings(ctx.h.db, team.id);
    expect(members.map((w) => w.name)).toEqual(['a']);

    updateWorkspace(ctx.h.db, a.id, { lastGrantAt: 5, rateLimitedUntil: 9, backoffLevel: 1 });
    expect(listPoolSettings(ctx.h.db, team.id)).toBe(members);
    expect(members[0]).not.toHaveProperty('lastGrantAt');
  });
});

describe('findWorkspaceSettings', () => {
  it('finds by id or name and follows each change of settings', () => {
    const team = insertTeam(ctx.h.db, 'solo');
    const ws = insertWorkspace(ctx.h.db, { name: 'w', teamId: team.id, workdirRoots: ['/w'] });
    expect(findWorkspaceSettings(ctx.h.db, 'w')?.id).toBe(ws.id);
    expect(findWorkspaceSettings(ctx.h.db, ws.id)?.workdirRoots).toEqual(['/w']);
    updateWorkspace(ctx.h.db, ws.id, { workdirRoots: ['/v'], paused: true });
    expect(findWorkspaceSettings(ctx.h.db, 'w')).toMatchObject({ workdirRoots: ['/v'], paused: true });
    expect(findWorkspaceSettings(ctx.h.db, 'nope')).toBeUndefined();
  });

  it('does not keep settings a transaction wrote and then rolled back', () => {
    const team = insertTeam(ctx.h.db, 'solo');
    const ws = insertWorkspace(ctx.h.db, { name: 'w', teamId: team.id, workdirRoots: ['/w'], pool: true });
    expect(findWorkspaceSettings(ctx.h.db, 'w')?.paused).toBe(false);
    expect(() =>
      ctx.h.tx(() => {
        updateWorkspace(ctx.h.db, ws.id, { paused: true, pool: false });
        expect(findWorkspaceSettings(ctx.h.db, 'w')?.paused).toBe(true);
        expect(listPoolSettings(ctx.h.db, team.id)).toEqual([]);
        throw new Error('rolled back');
      }),
    ).toThrow('rolled back');
    expect(findWorkspaceSettings(ctx.h.db, 'w')?.paused).toBe(false);
    expect(listPoolSettings(ctx.h.db, team.id).map((w) => w.name)).toEqual(['w']);
  });
});
