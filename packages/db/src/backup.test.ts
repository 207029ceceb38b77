import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { snapshotDatabase } from './backup.ts';
import { createDb, type DbHandle } from './client.ts';

let dir: string;
let h: DbHandle;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sy-backup-'));
  h = createDb(join(dir, 'switchyard.db'));
  h.sqlite.exec(`insert into teams (id, name, created_at) values ('team_1', 'default', 0)`);
});
afterEach(() => {
  h.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('snapshotDatabase', () => {
  it('copies the live database into an owner-only file beside it, with what the WAL holds', async () => {
    const snap = await snapshotDatabase(h);
    expect(statSync(snap.file).mode & 0o777).toBe(0o600);
    expect(snap.bytes).toBe(statSync(snap.file).size);
    const copy = new Database(snap.file, { readonly: true });
    expect(copy.prepare('select name from teams').all()).toEqual([{ name: 'default' }]);
    copy.close();
    snap.remove();
    snap.remove();
    expect(existsSync(snap.file)).toBe(false);
  });

  it('clears snapshots a crash left over a day ago, and none younger', async () => {
    const now = Date.now();
    const stale = join(dir, '.backup-left-by-a-crash.db');
    const young = join(dir, '.backup-being-sent.db');
    for (const f of [stale, young]) writeFileSync(f, 'x');
    utimesSync(stale, new Date(now - 25 * 3_600_000), new Date(now - 25 * 3_600_000));
    const snap = await snapshotDatabase(h, now);
    snap.remove();
    expect(readdirSync(dir).filter((f) => f.startsWith('.backup-'))).toEqual(['.backup-being-sent.db']);
  });
});
