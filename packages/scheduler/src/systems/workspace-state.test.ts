import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { findWorkspace, insertWorkspace, updateWorkspace, upsertAgent } from '@switchyard/db';
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
  h = await createHarness(redis.url, () => t, { graceSec: 90 });
});
afterEach(async () => {
  await h?.close();
});

const ws = () => findWorkspace(h.db.db, h.ws.id)!;

describe('workspace state', () => {
  it('takes an agent for offline once it has been silent for the grace period', () => {
    expect(h.sys.workspaces.isOnline(h.agent)).toBe(true);
    t += 89_999;
    expect(h.sys.workspaces.isOnline(h.agent)).toBe(true);
    expect(h.sys.workspaces.problems(ws())).toEqual([]);
    t += 1;
    expect(h.sys.workspaces.isOnline(h.agent)).toBe(false);
    expect(h.sys.workspaces.problems(ws())).toEqual(['no agent online']);
  });

  it('says why a workspace takes no work', () => {
    updateWorkspace(h.db.db, h.ws.id, { paused: true, rateLimitedUntil: t + 1_000 });
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
    upsertAgent(h.db.db, h.ws.id, info, t);
    expect(h.sys.workspaces.problems(ws())).toEqual([
      'workspace is paused',
      `rate limited until ${new Date(t + 1_000).toISOString()}`,
      'no claude on PATH',
    ]);
  });

  it('wakes the task’s workspace, or every pool workspace of its team', () => {
    const pool = insertWorkspace(h.db.db, {
      name: 'p1',
      teamId: h.team.id,
      workdirRoots: ['/tmp'],
      pool: true,
    });
    const woken: string[] = [];
    h.resources.hub.on('wake', (id) => woken.push(id));
    h.sys.workspaces.wakeFor({ workspaceId: h.ws.id, teamId: h.team.id });
    h.sys.workspaces.wakeFor({ workspaceId: null, teamId: h.team.id });
    expect(woken).toEqual([h.ws.id, pool.id]);
  });
});
