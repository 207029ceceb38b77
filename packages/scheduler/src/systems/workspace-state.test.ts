import { describe, expect, it } from 'vitest';
import { findWorkspace, insertTask, insertWorkspace, setQuota, updateWorkspace, upsertAgent } from '@switchyard/db';
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

  it('wakes the task’s workspace, or one idle agent of its team’s pool, not every pool workspace', async () => {
    const hub = ctx.h.resources.hub;
    const woken: string[] = [];
    const pools = ['p1', 'p2'].map((name) =>
      insertWorkspace(ctx.h.db.db, { name, teamId: ctx.h.team.id, workdirRoots: ['/tmp'], pool: true }),
    );
    hub.on('wake', (id) => woken.push(id));
    const waits = pools.map((p) =>
      hub.waitForWake(p.id, 60_000, undefined, { poolOf: ctx.h.team.id }).then(() => void woken.push(`pool ${p.name}`)),
    );
    ctx.h.sys.workspaces.wakeFor({ workspaceId: ctx.h.ws.id, teamId: ctx.h.team.id });
    ctx.h.sys.workspaces.wakeFor({ workspaceId: null, teamId: ctx.h.team.id });
    await waits[0];
    expect(woken).toEqual([ctx.h.ws.id, 'pool p1']);
    expect(hub.waiting(pools[1]!.id)).toBe(1);
    hub.emit('wake', pools[1]!.id);
    await waits[1];
  });

  it('wakes, for a freed slot, its workspace and those a team limit held back — not the whole team', () => {
    const others = ['w2', 'w3', 'w4'].map((name) =>
      insertWorkspace(ctx.h.db.db, { name, teamId: ctx.h.team.id, workdirRoots: ['/tmp'] }),
    );
    const woken: string[] = [];
    ctx.h.resources.hub.on('wake', (id) => woken.push(id));
    const freed = { workspaceId: ctx.h.ws.id, teamId: ctx.h.team.id };
    ctx.h.sys.workspaces.slotFreed(freed);
    expect(woken).toEqual([ctx.h.ws.id]);
    // Under a team running limit, a workspace with work waiting can use the slot.
    setQuota(ctx.h.db.db, ctx.h.team.id, { maxRunning: 1, maxQueued: null, tasksPerDay: null, monthlyBudgetUsd: null });
    const t = ctx.h.db.tx(() => insertTask(ctx.h.db.db, ctx.h.values({ workspaceId: others[1]!.id }), 'tester', ctx.t));
    expect(t.status).toBe('queued');
    woken.length = 0;
    ctx.h.sys.workspaces.slotFreed(freed);
    expect(woken).toEqual([ctx.h.ws.id, others[1]!.id]);
  });
});
