import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDb, type DbHandle } from './client.ts';
import { searchTasks } from './dashboard.ts';
import { indexPendingSearch } from './search-index.ts';
import { insertTask, insertTurn, updateTask, updateTurn } from './tasks.ts';
import { insertTeam } from './teams.ts';

let dir: string;
let h: DbHandle;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sy-search-'));
  h = createDb(join(dir, 'test.db'));
});
afterEach(() => {
  h.close();
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
const task = (teamId: string, prompt: string) =>
  insertTask(h.db, { id: `tsk_search${String(++n).padStart(8, '0')}`, teamId, workspaceId: null, prompt, workdir: '/tmp', options: {}, sessionId: `s${n}` }, null);
const indexed = () => (h.sqlite.prepare('SELECT count(*) FROM task_fts').pluck().get() as number);

describe('the search index', () => {
  it('is not written by a create: the task waits in task_fts_pending, and the next pass indexes it', () => {
    const team = insertTeam(h.db, 'blue');
    h.tx(() => task(team.id, 'Refactor the payment module'));
    expect(indexed()).toBe(0);
    expect(h.sqlite.prepare('SELECT count(*) FROM task_fts_pending').pluck().get()).toBe(1);
    expect(indexPendingSearch(h.db)).toBe(1);
    expect(indexed()).toBe(1);
    expect(indexPendingSearch(h.db)).toBe(0);
  });

  it('finds a task created a moment ago, with the follow-ups and results it got before it was indexed', () => {
    const team = insertTeam(h.db, 'blue');
    const a = task(team.id, 'Refactor the payment module');
    updateTurn(h.db, a.id, 1, { result: 'moved the ledger code' });
    updateTask(h.db, a.id, { result: 'moved the ledger code' });
    insertTurn(h.db, a.id, 2, 'now write migration notes');
    updateTurn(h.db, a.id, 2, { result: 'wrote NOTES.md' });
    updateTask(h.db, a.id, { result: 'wrote NOTES.md' });
    const find = (text: string) => searchTasks(h.db, { text, limit: 10 }).map((t) => t.id);
    expect(find('payment')).toEqual([a.id]);
    expect(find('migration')).toEqual([a.id]);
    expect(find('ledger')).toEqual([a.id]);
    expect(find('NOTES')).toEqual([a.id]);
    // Indexed once: a later result is added by the trigger, and nothing is indexed twice.
    updateTask(h.db, a.id, { result: 'third answer' });
    expect(find('third')).toEqual([a.id]);
    expect(indexed()).toBe(1);
  });

  it('forgets a task deleted before it was indexed, and indexes thousands in a few transactions', () => {
    const team = insertTeam(h.db, 'blue');
    const gone = task(team.id, 'withdrawn create');
    h.sqlite.prepare('DELETE FROM turns WHERE task_id = ?').run(gone.id);
    h.sqlite.prepare('DELETE FROM task_events WHERE task_id = ?').run(gone.id);
    h.sqlite.prepare('DELETE FROM tasks WHERE id = ?').run(gone.id);
    h.tx(() => {
      for (let i = 0; i < 4_500; i++) task(team.id, `bulk task ${i}`);
    });
    expect(indexPendingSearch(h.db)).toBe(4_500);
    expect(indexed()).toBe(4_500);
    expect(searchTasks(h.db, { text: 'withdrawn', limit: 10 })).toEqual([]);
  });
});
