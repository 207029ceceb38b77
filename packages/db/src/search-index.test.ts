import { describe, expect, it } from 'vitest';
import { searchTasks } from './task-search.ts';
import { INDEX_BATCH, indexPendingSearch } from './search-index.ts';
import { insertTask, insertTurn, updateTask, updateTurn } from './tasks.ts';
import { insertTeam } from './teams.ts';
import { useTempDb } from './test-support.ts';

const ctx = useTempDb();

let n = 0;
const task = (teamId: string, prompt: string) =>
  insertTask(ctx.h.db, { id: `tsk_search${String(++n).padStart(8, '0')}`, teamId, workspaceId: null, prompt, workdir: '/tmp', options: {}, sessionId: `s${n}` }, null);
const indexed = () => (ctx.h.sqlite.prepare('SELECT count(*) FROM task_fts').pluck().get() as number);

describe('the search index', () => {
  it('is not written by a create: the task waits in task_fts_pending, and the next pass indexes it', () => {
    const team = insertTeam(ctx.h.db, 'blue');
    ctx.h.tx(() => task(team.id, 'Refactor the payment module'));
    expect(indexed()).toBe(0);
    expect(ctx.h.sqlite.prepare('SELECT count(*) FROM task_fts_pending').pluck().get()).toBe(1);
    expect(indexPendingSearch(ctx.h.db)).toBe(1);
    expect(indexed()).toBe(1);
    expect(indexPendingSearch(ctx.h.db)).toBe(0);
  });

  it('finds a task created a moment ago, with the follow-ups and results it got before it was indexed', () => {
    const team = insertTeam(ctx.h.db, 'blue');
    const a = task(team.id, 'Refactor the payment module');
    updateTurn(ctx.h.db, a.id, 1, { result: 'moved the ledger code' });
    updateTask(ctx.h.db, a.id, { result: 'moved the ledger code' });
    insertTurn(ctx.h.db, a.id, 2, 'now write migration notes');
    updateTurn(ctx.h.db, a.id, 2, { result: 'wrote NOTES.md' });
    updateTask(ctx.h.db, a.id, { result: 'wrote NOTES.md' });
    const find = (text: string) => searchTasks(ctx.h.db, { text, limit: 10 }).rows.map((t) => t.id);
    expect(find('payment')).toEqual([a.id]);
    expect(find('migration')).toEqual([a.id]);
    expect(find('ledger')).toEqual([a.id]);
    expect(find('NOTES')).toEqual([a.id]);
    // Indexed once: a later result is added by the trigger, and nothing is indexed twice.
    updateTask(ctx.h.db, a.id, { result: 'third answer' });
    expect(find('third')).toEqual([a.id]);
    expect(indexed()).toBe(1);
  });

  it('forgets a task deleted before it was indexed, and indexes thousands in a few transactions', () => {
    const team = insertTeam(ctx.h.db, 'blue');
    const gone = task(team.id, 'withdrawn create');
    ctx.h.sqlite.prepare('DELETE FROM turns WHERE task_id = ?').run(gone.id);
    ctx.h.sqlite.prepare('DELETE FROM task_events WHERE task_id = ?').run(gone.id);
    ctx.h.sqlite.prepare('DELETE FROM tasks WHERE id = ?').run(gone.id);
    ctx.h.tx(() => {
      for (let i = 0; i < 4_500; i++) task(team.id, `bulk task ${i}`);
    });
    expect(indexPendingSearch(ctx.h.db)).toBe(4_500);
    expect(indexed()).toBe(4_500);
    expect(searchTasks(ctx.h.db, { text: 'withdrawn', limit: 10 }).rows).toEqual([]);
  });

  it('indexes the lowest pending tasks first, as many as asked, and leaves the rest pending', () => {
    const team = insertTeam(ctx.h.db, 'blue');
    const made = ctx.h.tx(() => [1, 2, 3, 4, 5].map((i) => task(team.id, `ordered task ${i}`)));
    expect(indexPendingSearch(ctx.h.db, 2)).toBe(2);
    const found = searchTasks(ctx.h.db, { text: 'ordered', limit: 10 }).rows.map((t) => t.id);
    // A search catches up first: all five are found, and nothing is left pending or doubled.
    expect(found.sort()).toEqual(made.map((t) => t.id).sort());
    expect(indexed()).toBe(5);
    expect(ctx.h.sqlite.prepare('SELECT count(*) FROM task_fts_pending').pluck().get()).toBe(0);
  });

  it('costs what it indexes, not what the table holds: the plan reads the pending rows and looks each task up', () => {
    const plan = (ctx.h.sqlite.prepare(`EXPLAIN QUERY PLAN ${INDEX_BATCH}`).all(1) as { detail: string }[]).map((r) => r.detail);
    // Led by tasks, the plan walked every task up to the batch's last rowid (`rowid<?`), indexed or
    // not: a pass cost 50–100 µs a task and grew with history.
    expect(plan[0]).toMatch(/^SEARCH p USING INTEGER PRIMARY KEY/);
    expect(plan).toContain('SEARCH t USING INTEGER PRIMARY KEY (rowid=?)');
  });
});
