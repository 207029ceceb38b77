import { describe, expect, it } from 'vitest';
import type { TaskStatus } from '@switchyard/core';
import { listTasks, newestSql, type TaskFilter } from './task-list.ts';
import { insertTask, liveTasksPage, type LiveTask } from './tasks.ts';
import { insertTeam } from './teams.ts';
import { useTempDb } from './test-support.ts';
import { insertWorkspace } from './workspaces.ts';

const ctx = useTempDb();
const T0 = Date.parse('2026-03-10T12:00:00Z');
const STATUSES: TaskStatus[] = ['queued', 'running', 'completed', 'failed'];

/** Every page of a listing, following the cursor as `GET /v1/tasks` does. */
function allPages(f: Omit<TaskFilter, 'limit' | 'before'>, limit: number): string[] {
  const ids: string[] = [];
  for (let before: TaskFilter['before']; ; ) {
    const page = listTasks(ctx.h.db, { ...f, before, limit });
    ids.push(...page.map((t) => t.id));
    if (page.length < limit) return ids;
    before = { createdAt: page.at(-1)!.createdAt, id: page.at(-1)!.id };
  }
}

describe('listing tasks', () => {
  it('pages newest first by creation time, then id, under every filter and across statuses', () => {
    const teams = [insertTeam(ctx.h.db, 'blue'), insertTeam(ctx.h.db, 'red')];
    const ws = teams.map((t, i) => insertWorkspace(ctx.h.db, { name: `ws${i}`, teamId: t.id, labels: {}, workdirRoots: ['/tmp'] }));
    // Sixty tasks over two teams, their workspaces and the pool, four statuses, and creation
    // times that repeat (a grouped commit gives several creates one instant).
    for (let i = 0; i < 60; i++) {
      const team = teams[i % 2]!;
      const id = `tsk_list${String((i * 37) % 60).padStart(6, '0')}`;
      insertTask(ctx.h.db, { id, teamId: team.id, workspaceId: i % 3 === 0 ? null : ws[i % 2]!.id, prompt: 'p', workdir: '/tmp', options: {}, sessionId: id }, null, T0 + Math.floor(i / 4) * 1000);
      ctx.h.sqlite.prepare('UPDATE tasks SET status = ? WHERE id = ?').run(STATUSES[(i * 7) % 4], id);
    }
    const expected = (where: string, ...args: unknown[]) =>
      ctx.h.sqlite.prepare(`SELECT id FROM tasks WHERE ${where} ORDER BY created_at DESC, id DESC`).pluck().all(...args);
    const cases: [Omit<TaskFilter, 'limit' | 'before'>, string, unknown[]][] = [
      [{}, '1', []],
      [{ teamId: teams[0]!.id }, 'team_id = ?', [teams[0]!.id]],
      [{ workspaceId: ws[1]!.id }, 'workspace_id = ?', [ws[1]!.id]],
      [{ statuses: ['completed'] }, "status = 'completed'", []],
      [{ statuses: ['queued', 'failed', 'queued'] }, "status IN ('queued', 'failed')", []],
      [{ teamId: teams[1]!.id, statuses: ['running', 'completed'] }, "team_id = ? AND status IN ('running', 'completed')", [teams[1]!.id]],
      [{ teamId: teams[0]!.id, workspaceId: ws[0]!.id, statuses: ['queued'] }, "team_id = ? AND workspace_id = ? AND status = 'queued'", [teams[0]!.id, ws[0]!.id]],
      [{ teamId: 'team_nobody' }, 'team_id = ?', ['team_nobody']],
    ];
    for (const [filter, where, args] of cases) {
      const want = expected(where, ...args);
      for (const limit of [1, 7, 500]) expect(allPages(filter, limit), `${JSON.stringify(filter)} by ${limit}`).toEqual(want);
    }
  });

  it('reads a page from an index already in the list order, never sorting a team’s history', () => {
    for (const team of [false, true]) {
      for (const workspace of [false, true]) {
        for (const before of [false, true]) {
          const sql = newestSql({ team, workspace, before });
          const plan = (ctx.h.sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ teamId: 't', workspaceId: 'w', status: 'queued', createdAt: 1, id: 'x', limit: 1 }) as { detail: string }[])
            .map((r) => r.detail)
            .join('\n');
          // Before migration 0010 each was `SEARCH … (team_id=? AND status=?)` then `USE TEMP B-TREE FOR ORDER BY`.
          expect(plan, sql).toMatch(/^SEARCH tasks USING (COVERING )?INDEX tasks_(team|workspace)?_?status/);
          expect(plan, sql).not.toMatch(/TEMP B-TREE/);
        }
      }
    }
  });

  it('gives the reconciler every live row once, oldest first, a page at a time, when many share an instant', () => {
    const team = insertTeam(ctx.h.db, 'blue');
    for (let i = 0; i < 23; i++) {
      const id = `tsk_live${String((i * 11) % 23).padStart(6, '0')}`;
      insertTask(ctx.h.db, { id, teamId: team.id, workspaceId: null, prompt: 'p', workdir: '/tmp', options: {}, sessionId: id }, null, T0 + Math.floor(i / 5));
    }
    const want = ctx.h.sqlite.prepare("SELECT id FROM tasks WHERE status = 'queued' ORDER BY created_at, id").pluck().all();
    for (const size of [1, 2, 3, 5, 7, 100]) {
      const seen: string[] = [];
      for (let after: LiveTask | null = null; ; ) {
        const rows = liveTasksPage(ctx.h.db, 'queued', after, size);
        seen.push(...rows.map((r) => r.id));
        if (rows.length < size) break;
        after = rows.at(-1)!;
      }
      expect(seen, `pages of ${size}`).toEqual(want);
    }
  });
});
