import { describe, expect, it } from 'vitest';
import { findWorkspace, insertWorkspace, updateWorkspace, upsertAgent } from '@switchyard/db';
import { useHarness } from '../test-support.ts';

const ctx = useHarness({ graceSec: 90 });

const ws = () => findWorkspace(ctx.h.db.db, ctx.h.ws.id)!;

describe('workspace state', () => {
  it('takes an agent for offline once it has been silent for the grace period', () => {
    expect(ctx.h.sys.workspaces.isOnline(ctx.h.agent)).toBe(true);
    ctx.t += 89_999;
    expect(ctx.h.sys.workspaces.isOnline(ctx.h.agent)).toBe(true);
    expect(ctx.h.sys.workspaces.problems(ws())).toEqual([]);
    ctx.t += 1;
    expect(ctx.h.sys.workspaces.isOnline(ctx.h.agent)).toBe(false);
    expect(ctx.h.sys.workspaces.problems(ws())).toEqual(['no agent online']);
  });

  it('says why a workspace takes no work', () => {
    updateWorkspace(ctx.h.db.db, ctx.h.ws.id, { paused: true, rateLimitedUntil: ctx.t + 1_000 });
    const info = {
      hostname: 'pod-1',
      agentVersion: '0',
      claudeVersion: null,
      tmuxVersion: null,
      simulated: false,
      slots: 1,
      workdirRoots: [],
      problems: ['no claude on PATH'],
    };
    upsertAgent(ctx.h.db.db, ctx.h.ws.id, info, ctx.t);
    expect(ctx.h.sys.workspaces.problems(ws())).toEqual([
      'workspace is paused',
      `rate limited until ${new Date(ctx.t + 1_000).toISOString()}`,
      'no claude on PATH',
    ]);
  });

  it('wakes the task’s workspace, or every pool workspace of its team', () => {
    const pool = insertWorkspace(ctx.h.db.db, {
      name: 'p1',
      teamId: ctx.h.team.id,
      workdirRoots: ['/tmp'],
      pool: true,
    });
    const woken: string[] = [];
    ctx.h.resources.hub.on('wake', (id) => woken.push(id));
    ctx.h.sys.workspaces.wakeFor({ workspaceId: ctx.h.ws.id, teamId: ctx.h.team.id });
    ctx.h.sys.workspaces.wakeFor({ workspaceId: null, teamId: ctx.h.team.id });
    expect(woken).toEqual([ctx.h.ws.id, pool.id]);
  });
});
