import { describe, expect, it } from 'vitest';
import { lastSampleAt, listTeamDaily, listWorkspaceSamples, sampleWorkspaces, SAMPLE_RETENTION_MS } from './dashboard.ts';
import { ftsQuery, searchTasks } from './task-search.ts';
import { insertTask, insertTurn, updateTask, updateTurn } from './tasks.ts';
import { insertTeam } from './teams.ts';
import { useTempDb } from './test-support.ts';
import { insertWorkspace } from './workspaces.ts';

const ctx = useTempDb();

const DAY = 86_400_000;
const T0 = Date.parse('2026-03-10T12:00:00Z');
let n = 0;
function task(teamId: string, prompt: string, now = T0, workspaceId: string | null = null) {
  n++;
  return insertTask(ctx.h.db, { id: `tsk_test${String(n).padStart(9, '0')}`, teamId, workspaceId, prompt, workdir: '/tmp', options: {}, sessionId: `s${n}` }, null, now);
}

describe('dashboard store', () => {
  it('quotes every word of a search, so nothing typed is read as an FTS5 operator', () => {
    expect(ftsQuery('fix the "login" bug')).toBe('"fix" "the" "login" "bug"*');
    expect(ftsQuery('NEAR(a b) OR prompt:x*')).toBe('"NEAR" "a" "b" "OR" "prompt" "x"*');
    expect(ftsQuery('  --  ')).toBe('');
  });

  it('finds tasks by first prompt, follow-up prompts and every turn’s result, through the FTS5 index', () => {
    const team = insertTeam(ctx.h.db, 'blue');
    const other = insertTeam(ctx.h.db, 'red');
    const a = task(team.id, 'Refactor the payment module');
    const b = task(other.id, 'Refactor the login page');
    task(team.id, 'Unrelated chore');
    insertTurn(ctx.h.db, a.id, 2, 'now write migration notes');
    // As a finished turn does: the result on the turn and on the task.
    updateTurn(ctx.h.db, b.id, 1, { result: 'Changed 3 files in authentication' });
    updateTask(ctx.h.db, b.id, { result: 'Changed 3 files in authentication' });
    insertTurn(ctx.h.db, b.id, 2, 'go on');
    updateTurn(ctx.h.db, b.id, 2, { result: 'Second turn: added tests' });
    updateTask(ctx.h.db, b.id, { result: 'Second turn: added tests' });
    const ids = (text: string, teamId?: string) => searchTasks(ctx.h.db, { text, teamId, limit: 10 }).rows.map((t) => t.id);
    expect(ids('refactor')).toEqual([b.id, a.id]);
    expect(ids('refactor', team.id)).toEqual([a.id]);
    expect(ids('migration')).toEqual([a.id]);
    expect(ids('authentic')).toEqual([b.id]);
    expect(ids('added tests')).toEqual([b.id]);
    expect(ids('payment login')).toEqual([]);
    expect(ids('"); DROP TABLE tasks; --')).toEqual([]);
  });

  it('rolls up tasks and spend per team per day in the same transaction as the change', () => {
    const team = insertTeam(ctx.h.db, 'blue');
    const t1 = task(team.id, 'one', T0);
    task(team.id, 'two', T0 + 1000);
    task(team.id, 'three', T0 + DAY);
    updateTask(ctx.h.db, t1.id, { costUsd: 0.5 }, T0 + 2000);
    updateTask(ctx.h.db, t1.id, { costUsd: 0.75 }, T0 + DAY + 5);
    const rows = listTeamDaily(ctx.h.db, '2026-03-01').map((r) => ({ day: r.day, tasks: r.tasks, cost: r.costUsd }));
    expect(rows).toEqual([
      { day: '2026-03-10', tasks: 2, cost: 0.5 },
      { day: '2026-03-11', tasks: 1, cost: 0.25 },
    ]);
    expect(listTeamDaily(ctx.h.db, '2026-03-11', [])).toEqual([]);
  });

  it('samples queue depth and running per workspace when they change, and keeps a day of samples', () => {
    const team = insertTeam(ctx.h.db, 'blue');
    const ws = insertWorkspace(ctx.h.db, { name: 'w1', teamId: team.id, workdirRoots: ['/tmp'] });
    task(team.id, 'queued one', T0, ws.id);
    const running = task(team.id, 'running one', T0, ws.id);
    updateTask(ctx.h.db, running.id, { status: 'running' });
    expect(sampleWorkspaces(ctx.h.db, T0)).toBe(1);
    expect(listWorkspaceSamples(ctx.h.db, T0 - 1)).toEqual([{ workspaceId: ws.id, ts: T0, queued: 1, running: 1 }]);
    // Unchanged load writes nothing; the chart carries the last sample forward.
    expect(sampleWorkspaces(ctx.h.db, T0 + 60_000)).toBe(0);
    updateTask(ctx.h.db, running.id, { status: 'completed' });
    const later = T0 + SAMPLE_RETENTION_MS + 1;
    expect(sampleWorkspaces(ctx.h.db, later)).toBe(1);
    expect(listWorkspaceSamples(ctx.h.db, 0).map((s) => [s.ts, s.running])).toEqual([[later, 0]]);
    expect(lastSampleAt(ctx.h.db)).toBe(later);
    // Past retention with no change since, a workspace keeps its newest sample, which leads a window.
    sampleWorkspaces(ctx.h.db, later + 2 * SAMPLE_RETENTION_MS);
    expect(listWorkspaceSamples(ctx.h.db, later + 2 * SAMPLE_RETENTION_MS - 3_600_000, [ws.id])).toEqual([{ workspaceId: ws.id, ts: later, queued: 1, running: 0 }]);
    expect(listWorkspaceSamples(ctx.h.db, 0, [])).toEqual([]);
  });
});
