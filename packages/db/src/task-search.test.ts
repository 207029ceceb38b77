import { describe, expect, it } from 'vitest';
import type { TaskStatus } from '@switchyard/core';
import { indexPendingSearch } from './search-index.ts';
import { insertTask } from './tasks.ts';
import { MATCHES, PASSING, SEARCH_BUDGET, searchTasks, type TaskSearch } from './task-search.ts';
import { insertTeam } from './teams.ts';
import { useTempDb } from './test-support.ts';
import { insertWorkspace } from './workspaces.ts';

const ctx = useTempDb();
const T0 = Date.parse('2026-03-10T12:00:00Z');
const STATUSES: TaskStatus[] = ['queued', 'running', 'completed', 'failed'];

let n = 0;
function task(teamId: string, prompt: string, workspaceId: string | null = null, at = T0 + n * 1000): string {
  const id = `tsk_find${String(++n).padStart(8, '0')}`;
  insertTask(ctx.h.db, { id, teamId, workspaceId, prompt, workdir: '/tmp', options: {}, sessionId: id }, null, at);
  return id;
}

/** Every page of a search, following `next` as a client follows `nextCursor`; the pages' sizes too. */
function allPages(s: Omit<TaskSearch, 'limit' | 'before'>, limit: number): { ids: string[]; sizes: number[] } {
  const ids: string[] = [];
  const sizes: number[] = [];
  for (let before: number | undefined; ; ) {
    const page = searchTasks(ctx.h.db, { ...s, before, limit });
    ids.push(...page.rows.map((t) => t.id));
    sizes.push(page.rows.length);
    if (page.next === null) return { ids, sizes };
    before = page.next;
  }
}

const plan = (sql: string, ...args: unknown[]) =>
  (ctx.h.sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((r) => r.detail);

describe('searching tasks', () => {
  it('pages the matches newest first under every filter, each once', () => {
    const teams = [insertTeam(ctx.h.db, 'blue'), insertTeam(ctx.h.db, 'red')];
    const ws = teams.map((t, i) => insertWorkspace(ctx.h.db, { name: `ws${i}`, teamId: t.id, labels: {}, workdirRoots: ['/tmp'] }));
    for (let i = 0; i < 60; i++) {
      const words = ['alpha', i % 3 === 0 ? 'beta' : 'gamma', i % 5 === 0 ? 'deltas' : ''].join(' ');
      const id = task(teams[i % 2]!.id, `task ${words}`, i % 3 === 2 ? null : ws[i % 2]!.id);
      ctx.h.sqlite.prepare('UPDATE tasks SET status = ? WHERE id = ?').run(STATUSES[(i * 7) % 4], id);
    }
    indexPendingSearch(ctx.h.db);
    const expected = (word: string, where: string, ...args: unknown[]) =>
      ctx.h.sqlite
        .prepare(`SELECT id FROM tasks WHERE rowid IN (SELECT rowid FROM task_fts WHERE task_fts MATCH ?) AND ${where} ORDER BY created_at DESC, id DESC`)
        .pluck()
        .all(`"${word}"*`, ...args);
    const cases: [Omit<TaskSearch, 'limit' | 'before'>, string, unknown[]][] = [
      [{ text: 'alpha' }, '1', []],
      [{ text: 'beta' }, '1', []],
      [{ text: 'delta' }, '1', []],
      [{ text: 'alpha', teamId: teams[0]!.id }, 'team_id = ?', [teams[0]!.id]],
      [{ text: 'gamma', workspaceId: ws[1]!.id }, 'workspace_id = ?', [ws[1]!.id]],
      [{ text: 'alpha', statuses: ['completed', 'queued'] }, "status IN ('completed', 'queued')", []],
      [{ text: 'beta', teamId: teams[1]!.id, workspaceId: ws[1]!.id, statuses: ['running', 'failed'] }, "team_id = ? AND workspace_id = ? AND status IN ('running', 'failed')", [teams[1]!.id, ws[1]!.id]],
      [{ text: 'alpha', teamId: 'team_nobody' }, 'team_id = ?', ['team_nobody']],
      [{ text: 'nowhere' }, '1', []],
    ];
    for (const [search, where, args] of cases) {
      const want = expected(search.text, where, ...args);
      for (const limit of [1, 7, 500]) expect(allPages(search, limit).ids, `${JSON.stringify(search)} by ${limit}`).toEqual(want);
    }
  });

  it('reads at most SEARCH_BUDGET matches a page: a filter that passes few of them gets short pages that go on', () => {
    const blue = insertTeam(ctx.h.db, 'blue');
    const red = insertTeam(ctx.h.db, 'red');
    const oldest = task(blue.id, 'common words');
    ctx.h.tx(() => {
      for (let i = 0; i < 2 * SEARCH_BUDGET + 5; i++) task(red.id, 'common words');
    });
    const newest = task(blue.id, 'common words');
    indexPendingSearch(ctx.h.db);
    // The oldest blue task lies past two pages' budgets of red matches: the first page holds the
    // newest and stops short with a cursor, the second holds none and goes on, the third ends it.
    expect(allPages({ text: 'common', teamId: blue.id }, 10)).toEqual({ ids: [newest, oldest], sizes: [1, 0, 1] });
    expect(allPages({ text: 'common', teamId: blue.id }, 1)).toEqual({ ids: [newest, oldest], sizes: [1, 0, 1] });
    // Unfiltered, a page is full at once.
    const page = searchTasks(ctx.h.db, { text: 'common', limit: 3 });
    expect(page.rows).toHaveLength(3);
    expect(page.next).not.toBeNull();
  });

  it('reads the index in its own order and looks each match up by rowid, never sorting or scanning a history', () => {
    const matches = plan(MATCHES, '"x"', 10, 5);
    // FTS5 takes the rowid bound and the order itself (`<` in its index plan), so a page stops
    // after its matches; sorting them by created_at read every match (`USE TEMP B-TREE`).
    expect(matches).toEqual([expect.stringMatching(/^SCAN task_fts VIRTUAL TABLE INDEX \d+:M\d+<$/)]);
    const passing = plan(PASSING, { rowids: '[3,2,1]', team: 't', workspace: 'w', statuses: '["queued"]' }).join('\n');
    expect(passing).toContain('SEARCH t USING INTEGER PRIMARY KEY (rowid=?)');
    expect(passing).not.toMatch(/tasks_|SCAN t\b|TEMP B-TREE/);
  });
});
