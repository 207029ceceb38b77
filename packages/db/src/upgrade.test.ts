import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_ALLOWED_TOOLS, DEFAULT_PERMISSION_MODES } from '@switchyard/core';
import { createHash } from 'node:crypto';
import { createDb } from './client.ts';
import { enableIncrementalVacuum } from './retention.ts';
import { findTask } from './tasks.ts';
import { findTokenBySecret } from './tokens.ts';
import { findWorkspace } from './workspaces.ts';
import { readOutput } from './output.ts';
import { countTasksByStatus } from './stats.ts';

const DRIZZLE = join(dirname(fileURLToPath(import.meta.url)), '..', 'drizzle');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sy-upgrade-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A database as v0.1.0 left it: its one migration applied by drizzle, as its createDb did. */
function v010Database(file: string): Database.Database {
  const folder = join(dir, 'v0.1.0-drizzle');
  mkdirSync(join(folder, 'meta'), { recursive: true });
  copyFileSync(join(DRIZZLE, '0000_init.sql'), join(folder, '0000_init.sql'));
  const journal = JSON.parse(readFileSync(join(DRIZZLE, 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string }[] };
  journal.entries = journal.entries.filter((e) => e.tag === '0000_init');
  writeFileSync(join(folder, 'meta', '_journal.json'), JSON.stringify(journal));
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  migrate(drizzle(sqlite), { migrationsFolder: folder });
  return sqlite;
}

describe('upgrading a v0.1.0 database', () => {
  it('applies the later migrations, keeps every row, and gives old workspaces the defaults', () => {
    const file = join(dir, 'switchyard.db');
    const old = v010Database(file);
    const now = Date.now();
    old.exec(`
      insert into teams (id, name, created_at) values ('team_1', 'default', ${now});
      insert into workspaces (id, name, team_id, labels, workdir_roots, created_at) values ('ws_1', 'local', 'team_1', '{"a":"b"}', '["/tmp"]', ${now});
      insert into tokens (id, kind, name, role, team_id, hash, prefix, created_at) values ('tok_1', 'user', 'root', 'admin', null, 'abc123', 'syu_abcd', ${now});
      insert into agents (id, workspace_id, hostname, agent_version, slots, free_slots, workdir_roots, problems, last_seen_at, registered_at) values ('agt_1', 'ws_1', 'pod', '0.1.0', 1, 1, '["/tmp"]', '[]', ${now}, ${now});
      insert into tasks (id, team_id, workspace_id, status, prompt, workdir, options, session_id, exit_code, result, cost_usd, last_seq, created_at, updated_at, queued_at, finished_at)
        values ('tsk_1', 'team_1', 'ws_1', 'completed', 'hello', '/tmp', '{"model":"sonnet"}', 'sess', 0, 'done', 0.25, 2, ${now}, ${now}, ${now}, ${now});
      insert into turns (task_id, n, prompt, status, created_at) values ('tsk_1', 1, 'hello', 'completed', ${now});
      insert into output_lines (task_id, seq, turn, ts, line) values ('tsk_1', 1, 1, ${now}, 'one'), ('tsk_1', 2, 1, ${now}, 'two');
    `);
    old.close();

    const h = createDb(file);
    try {
      const applied = h.sqlite.prepare('select count(*) as n from __drizzle_migrations').get() as { n: number };
      const journal = JSON.parse(readFileSync(join(DRIZZLE, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] };
      expect(applied.n).toBe(journal.entries.length);
      expect(findTask(h.db, 'tsk_1')).toMatchObject({ status: 'completed', prompt: 'hello', options: { model: 'sonnet' }, costUsd: 0.25, lastSeq: 2, result: 'done' });
      expect(readOutput(h.db, 'tsk_1', 0, 2, 10).map((l) => l.line)).toEqual(['one', 'two']);
      // The tasks by status the counters start from (migration 0009) are the ones already there.
      expect(countTasksByStatus(h.db)).toEqual(new Map([['completed', 1]]));
      expect(h.sqlite.prepare("select hostname, tmux_socket as s from agents where id = 'agt_1'").get()).toEqual({ hostname: 'pod', s: null });
      expect(h.sqlite.prepare("select hash from tokens where id = 'tok_1'").get()).toEqual({ hash: 'abc123' });
      expect(findWorkspace(h.db, 'local')).toMatchObject({
        labels: { a: 'b' },
        workdirRoots: ['/tmp'],
        permissionModes: [...DEFAULT_PERMISSION_MODES],
        defaultPermissionMode: 'default',
        allowedTools: [...DEFAULT_ALLOWED_TOOLS],
        disallowedTools: [],
        addDirs: [],
        mcpConfig: null,
        settings: null,
        systemPrompt: null,
        models: [],
      });
      // Opening narrows the files an older version left readable.
      expect((statSync(file).mode & 0o777).toString(8)).toBe('600');
    } finally {
      h.close();
    }
  });
});

/** The fixture's token secrets, as packages/db/fixtures/make-v0.1.0.mjs derives them. */
const fixtureSecret = (kind: 'syu' | 'sya', seed: string) => `${kind}_${createHash('sha256').update(seed).digest('base64url')}`;
const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'v0.1.0.db');
/** Every table v0.1.0 had, each with the columns it had. */
const V010_TABLES = ['teams', 'workspaces', 'tokens', 'agents', 'tasks', 'turns', 'task_events', 'output_lines', 'audit_log'];

describe('the database written by v0.1.0 (packages/db/fixtures/v0.1.0.db)', () => {
  it('migrates to the current schema keeping every row, and its tokens still authenticate', () => {
    const file = join(dir, 'switchyard.db');
    copyFileSync(FIXTURE, file);
    const old = new Database(file, { readonly: true });
    const columns = (s: Database.Database, t: string) => (s.pragma(`table_info(${t})`) as { name: string }[]).map((c) => c.name);
    const dump = (s: Database.Database, t: string, cols: string[]) => s.prepare(`select ${cols.join(', ')} from ${t} order by rowid`).all();
    const before = Object.fromEntries(V010_TABLES.map((t) => [t, { cols: columns(old, t), rows: dump(old, t, columns(old, t)) }]));
    old.close();
    expect(before.tasks!.rows).toHaveLength(7);
    expect(before.output_lines!.rows).toHaveLength(210);

    const h = createDb(file);
    try {
      for (const t of V010_TABLES) expect(dump(h.sqlite, t, before[t]!.cols), t).toEqual(before[t]!.rows);
      // Later migrations' backfills see the old rows: search and the daily rollups.
      expect(h.sqlite.prepare("select count(*) as n from task_fts where task_fts match 'readme'").get()).toEqual({ n: 1 });
      // A follow-up v0.1.0 ran is searchable too, after the first prompt (as the trigger writes it).
      expect(h.sqlite.prepare("select prompt from task_fts where task_fts match 'regression'").all()).toEqual([
        { prompt: 'Fix the failing test in src/lib.ts\nNow add a regression test' },
      ]);
      const daily = h.sqlite.prepare('select sum(tasks) as n, round(sum(cost_usd), 4) as usd from team_daily').get();
      expect(daily).toEqual({ n: 7, usd: round4((before.tasks!.rows as { cost_usd: number }[]).reduce((sum, r) => sum + r.cost_usd, 0)) });
      for (const [kind, seed, role] of [['syu', 'fixture-admin', 'admin'], ['syu', 'fixture-alice', 'member'], ['syu', 'fixture-viewer', 'viewer'], ['sya', 'fixture-agent', 'agent']] as const) {
        expect(findTokenBySecret(h.db, fixtureSecret(kind, seed)), seed).toMatchObject({ role, revokedAt: null });
      }
      expect(findTokenBySecret(h.db, fixtureSecret('syu', 'fixture-revoked'))?.revokedAt).toBeGreaterThan(0);
      expect(findTask(h.db, 'tsk_fixture2')).toMatchObject({ status: 'completed', currentTurn: 2, lastSeq: 4, result: 'Test added' });
      expect(readOutput(h.db, 'tsk_fixture7', 0, 200, 1000)).toHaveLength(200);

      // The one-time switch to incremental vacuum (the API does it at start) keeps every row too.
      expect(enableIncrementalVacuum(h)).toBe(true);
      for (const t of V010_TABLES) expect(dump(h.sqlite, t, before[t]!.cols), t).toEqual(before[t]!.rows);
      expect(h.sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      h.close();
    }
    // Opening again applies nothing twice.
    const again = createDb(file);
    again.close();
  });

  it('is small enough to commit', () => {
    expect(statSync(FIXTURE).size).toBeLessThanOrEqual(1024 * 1024);
  });
});

const round4 = (n: number) => Math.round(n * 10_000) / 10_000;
