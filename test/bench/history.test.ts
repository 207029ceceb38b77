// The databases with history that `npm run bench` measures admission on must look like a real
// API's after months of work, or the benchmark measures its own fixture: each task's id is the one
// `newId` gave it when it was created, so history sorts before the tasks a benchmark creates and
// every index keyed by task id grows at its right-hand end, as it does in production.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { newId, TASK_ID_PATTERN } from '@switchyard/core';

// A cache of its own, so the database is built by the code under test rather than found cached.
const cache = mkdtempSync(join(tmpdir(), 'sy-history-cache-'));
process.env.XDG_CACHE_HOME = cache;
const { historyDir } = await import('../../bench/lib/history.ts');
afterAll(() => rmSync(cache, { recursive: true, force: true }));

describe('the benchmark history database', () => {
  it('holds finished tasks whose ids are the ones newId gave them when they were created', async () => {
    const dir = await historyDir(300, 2, () => {});
    const db = new Database(join(dir, 'switchyard.db'), { readonly: true });
    try {
      const rows = db.prepare('SELECT id, created_at AS createdAt, status FROM tasks ORDER BY rowid').all() as { id: string; createdAt: number; status: string }[];
      expect(rows).toHaveLength(300);
      for (const r of rows) {
        expect(r.id).toMatch(TASK_ID_PATTERN);
        expect(parseInt(r.id.slice('tsk_'.length, 'tsk_'.length + 9), 36), r.id).toBe(r.createdAt);
        expect(r.status).toBe('completed');
      }
      // Oldest first, and every one before a task created now.
      expect(rows.map((r) => r.id)).toEqual(rows.map((r) => r.id).sort());
      expect(rows.at(-1)!.id < newId('tsk')).toBe(true);
      const count = (sql: string) => db.prepare(sql).pluck().get();
      expect([count('SELECT count(*) FROM turns'), count('SELECT count(*) FROM task_events'), count('SELECT count(*) FROM output_lines')]).toEqual([300, 600, 600]);
      expect(count('SELECT count(*) FROM task_fts')).toBe(300);
    } finally {
      db.close();
    }
  });
});
