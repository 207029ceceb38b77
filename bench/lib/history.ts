/**
 * Databases with history, for the admission benchmark: N finished tasks (each with its turn, two
 * events and `lines` output lines), spread over the last 90 days, in the team and workspace the
 * benchmark creates into. Generated in SQLite itself (a recursive CTE cloning one real task row,
 * so every column and trigger is the real one), and cached outside the repo by size and by the
 * migrations it was built with: `~/.cache/switchyard/bench/`.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { TaskView } from '@switchyard/core';
import { REPO } from '../../test/support/agent.ts';
import { startStack } from './stack.ts';

const CACHE = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'switchyard', 'bench');
const MIGRATIONS = join(REPO, 'packages', 'db', 'drizzle');
const DAY = 86_400_000;
/** Bumped when `fill` changes what it builds, so cached databases are built again. */
const BUILDER = 'b3';

function migrationsHash(): string {
  const h = createHash('sha256');
  for (const f of readdirSync(MIGRATIONS).filter((f) => f.endsWith('.sql')).sort()) h.update(f).update(readFileSync(join(MIGRATIONS, f)));
  return h.digest('hex').slice(0, 12);
}

/** `count` rows 1..count of a recursive CTE named n(i), for INSERT … SELECT. */
const series = (count: number) => `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${count})`;

/** Clones task `templateId` `count` times as finished history, with turns, events and output. */
function fill(file: string, templateId: string, count: number, lines: number, now: number): void {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const columns = (db.prepare('select name from pragma_table_info(?)').all('tasks') as { name: string }[]).map((c) => c.name);
  const created = `${now - 90 * DAY} + i * ${Math.floor((89 * DAY) / count)}`;
  // The id `newId` gave at that time: older tasks sort first, so every index keyed by task id
  // grows at its right-hand end as it does in a real database. (Ids sorting after the new ones,
  // as `tsk_hist…` did, made each create insert into the middle of those indexes.)
  db.function('time36', { deterministic: true }, (ms) => Number(ms).toString(36).padStart(9, '0'));
  const id = `'tsk_' || time36(${created}) || printf('%05x', i % 1048576)`;
  const override: Record<string, string> = {
    id,
    status: `'completed'`,
    session_id: `lower(hex(randomblob(16)))`,
    result: `'history task ' || i`,
    cost_usd: '0.01',
    num_turns: '1',
    exit_code: '0',
    is_error: '0',
    last_seq: String(lines),
    idempotency_key: 'NULL',
    job_id: 'NULL',
    lease_token: 'NULL',
    created_at: created,
    updated_at: `${created} + 60000`,
    queued_at: created,
    started_at: `${created} + 1000`,
    finished_at: `${created} + 60000`,
  };
  const select = columns.map((c) => override[c] ?? c).join(', ');
  db.transaction(() => {
    db.exec(`${series(count)} INSERT INTO tasks (${columns.join(', ')}) SELECT ${select} FROM n, (SELECT * FROM tasks WHERE id = '${templateId}')`);
    db.exec(`INSERT INTO turns (task_id, n, prompt, status, outcome, exit_code, cost_usd, num_turns, start_seq, end_seq, created_at, started_at, finished_at)
      SELECT id, 1, prompt, 'completed', 'completed', 0, 0.01, 1, 1, ${lines}, created_at, started_at, finished_at FROM tasks WHERE id <> '${templateId}'`);
    db.exec(`INSERT INTO task_events (task_id, ts, from_status, to_status, reason) SELECT id, created_at, NULL, 'queued', 'created' FROM tasks WHERE id <> '${templateId}'`);
    db.exec(`INSERT INTO task_events (task_id, ts, from_status, to_status, reason) SELECT id, finished_at, 'running', 'completed', 'history' FROM tasks WHERE id <> '${templateId}'`);
    if (lines > 0) {
      const text = `'{"type":"assistant","message":{"role":"assistant","content":[{"type":"text","text":"history line ' || s.i || ' ${'x'.repeat(60)}"}]}}'`;
      db.exec(`${series(lines)}, s AS (SELECT i FROM n) INSERT INTO output_lines (task_id, seq, turn, ts, line)
        SELECT t.id, s.i, 1, t.started_at + s.i, ${text} FROM tasks t, s WHERE t.id <> '${templateId}'`);
    }
    for (const table of ['output_lines', 'task_events', 'turns', 'tasks']) db.prepare(`DELETE FROM ${table} WHERE ${table === 'tasks' ? 'id' : 'task_id'} = ?`).run(templateId);
    // History is searchable: an API that has run for months indexed it long ago. (Left pending,
    // the API's indexer would spend the benchmark catching up on a million tasks.) One turn
    // each, with no result of its own: the task's prompt and result, as indexPendingSearch puts them.
    db.exec(`INSERT INTO task_fts (rowid, prompt, result) SELECT rowid, prompt, coalesce(result, '') FROM tasks WHERE id <> '${templateId}'`);
    db.exec('DELETE FROM task_fts_pending');
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

/**
 * A data dir (switchyard.db and its token files) holding `count` finished tasks of history with
 * `lines` output lines each; built once, then served from the cache.
 */
export async function historyDir(count: number, lines: number, log: (s: string) => void): Promise<string> {
  const name = `history-${count}-${lines}-`;
  const dir = join(CACHE, `${name}${BUILDER}-${migrationsHash()}`);
  if (existsSync(join(dir, 'switchyard.db'))) return dir;
  // Databases of the same size built by older code or migrations: gigabytes no run reads again.
  if (existsSync(CACHE)) for (const old of readdirSync(CACHE).filter((d) => d.startsWith(name))) rmSync(join(CACHE, old), { recursive: true, force: true });
  log(`building a database with ${count} tasks of history (${lines} output lines each), cached in ${dir} …`);
  const t0 = Date.now();
  const stack = await startStack();
  const { id } = (await (await stack.api.call('/v1/tasks', { method: 'POST', json: { workspace: 'local', workdir: '/tmp', prompt: 'history template' } })).json()) as TaskView;
  await stack.api.stop();
  fill(join(stack.dataDir, 'switchyard.db'), id, count, lines, Date.now());
  mkdirSync(CACHE, { recursive: true });
  rmSync(dir, { recursive: true, force: true });
  renameSync(stack.dataDir, dir);
  await stack.redis.stop();
  log(`built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return dir;
}
