import { describe, expect, it } from 'vitest';
import { findTask, firstTurnOf, insertTask, listTurns } from './tasks.ts';
import { insertTeam } from './teams.ts';
import { useTempDb } from './test-support.ts';

const ctx = useTempDb();

describe('insertTask', () => {
  it('returns the task and first turn exactly as SQLite stored them, defaults included', () => {
    const team = insertTeam(ctx.h.db, 'default');
    const values = { id: 'tsk_test000000001', teamId: team.id, prompt: 'p', workdir: '/tmp', options: { model: 'm' }, sessionId: 's', labels: undefined };
    const task = insertTask(ctx.h.db, values, 'ann', 1_000);
    expect(task).toEqual(findTask(ctx.h.db, task.id));
    expect(task).toMatchObject({ labels: {}, approvalRules: [], turnStarted: false, currentTurn: 1, lastSeq: 0, workspaceId: null, finishedAt: null });
    expect(listTurns(ctx.h.db, task.id)).toEqual([firstTurnOf(task)]);
    expect(firstTurnOf(task)).toMatchObject({ n: 1, status: 'queued', prompt: 'p', createdAt: 1_000, exitCode: null });
  });

  it('gives each task its own copy of an object default', () => {
    const team = insertTeam(ctx.h.db, 'default');
    const base = { teamId: team.id, prompt: 'p', workdir: '/tmp', options: {}, sessionId: 's' };
    const a = insertTask(ctx.h.db, { ...base, id: 'tsk_test000000001' }, null);
    const b = insertTask(ctx.h.db, { ...base, id: 'tsk_test000000002' }, null);
    a.labels.x = 'y';
    expect(b.labels).toEqual({});
  });
});
