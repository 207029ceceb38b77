import { describe, expect, it } from 'vitest';
import { listAudit, writeAudit } from './audit.ts';
import { findTask, firstTurnOf, insertTask, listTaskEvents, listTurns } from './tasks.ts';
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

  it('lets SQLite number the rows of tables with an autoincrement id', () => {
    const team = insertTeam(ctx.h.db, 'default');
    const task = insertTask(ctx.h.db, { id: 'tsk_test000000001', teamId: team.id, prompt: 'p', workdir: '/tmp', options: {}, sessionId: 's' }, 'ann', 1_000);
    expect(listTaskEvents(ctx.h.db, task.id)).toEqual([expect.objectContaining({ id: expect.any(Number), toStatus: 'queued', actor: 'ann', reason: 'created', ts: 1_000 })]);
    writeAudit(ctx.h.db, { actor: 'ann', action: 'task.create', targetType: 'task', targetId: task.id, details: { a: 1 } }, 5);
    writeAudit(ctx.h.db, { actor: 'ann', action: 'task.kill', targetType: 'task', targetId: task.id, details: {} }, 6);
    const [second, first] = listAudit(ctx.h.db, { limit: 10 });
    expect(second!.id).toBeGreaterThan(first!.id);
    expect(first).toMatchObject({ ts: 5, details: { a: 1 }, teamId: null });
  });
});
