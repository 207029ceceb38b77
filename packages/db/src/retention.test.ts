import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDb, type DbHandle } from './client.ts';
import { enableIncrementalVacuum, pruneExpired } from './retention.ts';
import { indexPendingSearch } from './search-index.ts';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 26, 12);

let dir: string;
let h: DbHandle;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sy-retention-'));
  h = createDb(join(dir, 'switchyard.db'));
  h.sqlite.exec(`
    insert into teams (id, name, created_at) values ('team_1', 'default', 0);
    insert into workspaces (id, name, team_id, workdir_roots, created_at) values ('ws_1', 'local', 'team_1', '["/tmp"]', 0);
  `);
});
afterEach(() => {
  h.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A task as the API leaves it: row, turns, status events and output lines. */
function task(id: string, o: { status: string; createdDaysAgo: number; finishedDaysAgo: number | null; lines: number; lineBytes?: number }): void {
  const created = NOW - o.createdDaysAgo * DAY;
  const finished = o.finishedDaysAgo === null ? null : NOW - o.finishedDaysAgo * DAY;
  const s = h.sqlite;
  s.prepare(
    `insert into tasks (id, team_id, workspace_id, status, prompt, workdir, options, session_id, cost_usd, last_seq, created_at, updated_at, queued_at, finished_at)
     values (?, 'team_1', 'ws_1', ?, ?, '/tmp', '{}', 'sess', 0.5, ?, ?, ?, ?, ?)`,
  ).run(id, o.status, `prompt of ${id} about zebras`, o.lines, created, finished ?? created, created, finished);
  s.prepare(`insert into turns (task_id, n, prompt, status, created_at) values (?, 1, 'p', ?, ?)`).run(id, o.status, created);
  const ev = s.prepare(`insert into task_events (task_id, ts, from_status, to_status) values (?, ?, ?, ?)`);
  ev.run(id, created, null, 'queued');
  ev.run(id, created, 'queued', 'running');
  if (finished !== null) ev.run(id, finished, 'running', o.status);
  const line = s.prepare(`insert into output_lines (task_id, seq, turn, ts, line) values (?, ?, 1, ?, ?)`);
  h.tx(() => {
    for (let seq = 1; seq <= o.lines; seq++) line.run(id, seq, created, `{"n":${seq},"pad":"${'x'.repeat(o.lineBytes ?? 20)}"}`);
  });
}

const count = (sql: string, ...args: unknown[]) => (h.sqlite.prepare(sql).get(...args) as { n: number }).n;
const linesOf = (id: string) => count('select count(*) as n from output_lines where task_id = ?', id);
const eventsOf = (id: string) => count('select count(*) as n from task_events where task_id = ?', id);

describe('pruneExpired', () => {
  it('deletes the output and events of old finished tasks, and old tasks whole, and nothing else', async () => {
    task('old_done', { status: 'completed', createdDaysAgo: 41, finishedDaysAgo: 40, lines: 1200 });
    task('old_failed', { status: 'failed', createdDaysAgo: 40, finishedDaysAgo: 40, lines: 10 });
    task('recent', { status: 'completed', createdDaysAgo: 6, finishedDaysAgo: 5, lines: 10 });
    task('old_running', { status: 'running', createdDaysAgo: 40, finishedDaysAgo: null, lines: 10 });
    task('old_queued', { status: 'queued', createdDaysAgo: 50, finishedDaysAgo: null, lines: 0 });
    task('ancient', { status: 'killed', createdDaysAgo: 401, finishedDaysAgo: 400, lines: 7 });
    const ancientDay = new Date(NOW - 401 * DAY).toISOString().slice(0, 10);
    const daily = () => h.sqlite.prepare('select team_id, day, tasks, cost_usd from team_daily order by day').all();
    const dailyBefore = daily();
    expect(dailyBefore).toContainEqual({ team_id: 'team_1', day: ancientDay, tasks: 1, cost_usd: 0.5 });

    indexPendingSearch(h.db); // as the API's indexer does within a second of each create
    const report = await pruneExpired(h, { outputDays: 30, taskDays: 365, batchRows: 500 }, NOW);

    // Each old task keeps its last line (its result); the ancient one loses everything.
    expect(report).toMatchObject({ outputLines: 1199 + 9 + 7, taskEvents: 3 + 3 + 3, tasks: 1 });
    for (const id of ['old_done', 'old_failed']) {
      expect(eventsOf(id), id).toBe(0);
    }
    expect(h.sqlite.prepare(`select task_id, seq from output_lines where task_id in ('old_done', 'old_failed') order by 1`).all()).toEqual([
      { task_id: 'old_done', seq: 1200 },
      { task_id: 'old_failed', seq: 10 },
    ]);
    // The task rows themselves stay, with their result, cost and turns.
    expect(count(`select count(*) as n from tasks where id in ('old_done', 'old_failed')`)).toBe(2);
    expect(count(`select count(*) as n from turns where task_id = 'old_done'`)).toBe(1);
    // Recent, running and waiting tasks are untouched.
    expect([linesOf('recent'), eventsOf('recent')]).toEqual([10, 3]);
    expect([linesOf('old_running'), eventsOf('old_running')]).toEqual([10, 2]);
    expect(eventsOf('old_queued')).toBe(2);
    // The ancient task is gone whole: row, turns, search entry; its day still counts it.
    expect(count(`select count(*) as n from tasks where id = 'ancient'`)).toBe(0);
    expect(count(`select count(*) as n from turns where task_id = 'ancient'`)).toBe(0);
    expect(count(`select count(*) as n from task_fts where task_fts match 'zebras'`)).toBe(5);
    expect(daily()).toEqual(dailyBefore);

    // A second pass finds nothing left to do.
    expect(await pruneExpired(h, { outputDays: 30, taskDays: 365 }, NOW)).toMatchObject({ outputLines: 0, taskEvents: 0, tasks: 0 });
  });

  it('walks any number of old tasks, a page at a time', async () => {
    for (let i = 0; i < 450; i++) task(`t${i}`, { status: 'completed', createdDaysAgo: 50, finishedDaysAgo: 40 + (i % 7), lines: 3 });
    expect(await pruneExpired(h, { outputDays: 30, taskDays: null }, NOW)).toMatchObject({ outputLines: 450 * 2, taskEvents: 450 * 3 });
    expect(count('select count(*) as n from output_lines')).toBe(450);
    const plan = h.sqlite.prepare(`explain query plan select id from tasks where finished_at < ? and finished_at >= ? order by finished_at, id`).all(NOW, 0) as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/tasks_finished/);
  });

  it('keeps everything when both periods are off', async () => {
    task('ancient', { status: 'completed', createdDaysAgo: 900, finishedDaysAgo: 900, lines: 3 });
    expect(await pruneExpired(h, { outputDays: null, taskDays: null }, NOW)).toEqual({ outputLines: 0, taskEvents: 0, tasks: 0, pagesFreed: 0 });
    expect(linesOf('ancient')).toBe(3);
  });

  it('deletes in small transactions and lets the event loop run between them', async () => {
    task('old_done', { status: 'completed', createdDaysAgo: 41, finishedDaysAgo: 40, lines: 2000 });
    let done = false;
    let ticks = 0;
    const tick = () => {
      ticks++;
      if (!done) setImmediate(tick);
    };
    setImmediate(tick);
    const report = await pruneExpired(h, { outputDays: 30, taskDays: null, batchRows: 100 }, NOW);
    done = true;
    expect(report.outputLines).toBe(1999);
    // 20 batches of 100: the loop ran between them.
    expect(ticks).toBeGreaterThanOrEqual(20);
  });

  it('converts with its temporary copy of the file on disk, not in the memory of the API', () => {
    // A VACUUM copies the whole file as temporary data; in memory, a large database would not
    // fit the API's pod. The connection keeps other temporary data in memory (temp_store 2).
    expect(Number(h.sqlite.pragma('temp_store', { simple: true }))).toBe(2);
    const exec = h.sqlite.exec.bind(h.sqlite);
    let during: unknown;
    h.sqlite.exec = (sql: string) => {
      if (/vacuum/i.test(sql)) during = h.sqlite.pragma('temp_store', { simple: true });
      return exec(sql);
    };
    expect(enableIncrementalVacuum(h)).toBe(true);
    expect(during).toBe(1);
    expect(Number(h.sqlite.pragma('temp_store', { simple: true }))).toBe(2);
  });

  it('gives the freed pages back to the file system once incremental vacuum is on', async () => {
    const file = join(dir, 'switchyard.db');
    // createDb leaves the file as older versions made it; the API converts it at start.
    expect(Number(h.sqlite.pragma('auto_vacuum', { simple: true }))).toBe(0);
    expect(enableIncrementalVacuum(h)).toBe(true);
    expect(enableIncrementalVacuum(h)).toBe(false);
    expect(Number(h.sqlite.pragma('auto_vacuum', { simple: true }))).toBe(2);
    task('old_done', { status: 'completed', createdDaysAgo: 41, finishedDaysAgo: 40, lines: 3000, lineBytes: 1000 });
    task('recent', { status: 'completed', createdDaysAgo: 2, finishedDaysAgo: 1, lines: 100, lineBytes: 1000 });
    h.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    const before = statSync(file).size;
    expect(before).toBeGreaterThan(3_000_000);

    const report = await pruneExpired(h, { outputDays: 30, taskDays: null }, NOW);

    expect(report.outputLines).toBe(2999);
    expect(report.pagesFreed).toBeGreaterThan(600);
    expect(Number(h.sqlite.pragma('freelist_count', { simple: true }))).toBe(0);
    const after = statSync(file).size;
    expect(before - after).toBeGreaterThan(2_500_000);
    expect(linesOf('recent')).toBe(100);
    expect(h.sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
  });
});
