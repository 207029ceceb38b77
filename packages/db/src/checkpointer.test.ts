import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDb, type DbHandle } from './client.ts';

let dir = '';
let h: DbHandle | undefined;
afterEach(() => {
  h?.close();
  h = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** Commits one 3 KB row at a time: each commit adds at least one page to the WAL. */
function commitRows(db: DbHandle, n: number, tag: string): void {
  const put = db.sqlite.prepare('insert into meta (key, value) values (?, ?)');
  const value = 'x'.repeat(3_000);
  for (let i = 0; i < n; i++) put.run(`${tag}${i}`, value);
}

describe('WAL checkpoints in a worker thread', () => {
  it('leaves the database file alone on commit, and the worker brings it up to date', async () => {
    dir = mkdtempSync(join(tmpdir(), 'sy-ckpt-'));
    const file = join(dir, 'c.db');
    // The worker's own timer is an hour away: only `now()` checkpoints in this test.
    h = createDb(file, { checkpointEveryMs: 3_600_000 });
    await h.checkpointer!.now();
    const before = statSync(file).size;

    // 1,500 commits: past SQLite's default of 1,000 WAL pages, where a commit would copy them
    // into the database file itself, on the thread that serves requests.
    commitRows(h, 1_500, 'a');
    expect(statSync(file).size).toBe(before);

    const done = await h.checkpointer!.now();
    expect(done.log).toBeGreaterThanOrEqual(1_500);
    expect(done.checkpointed).toBe(done.log);
    expect(statSync(file).size).toBeGreaterThan(before + 1_500 * 3_000);
    // The rows are the database's: a connection opened afterwards reads them all.
    h.close();
    h = createDb(file);
    expect(h.sqlite.prepare("select count(*) as n from meta where key like 'a%'").get()).toEqual({ n: 1_500 });
  });

  it('checkpoints on commit again when its worker is gone', async () => {
    dir = mkdtempSync(join(tmpdir(), 'sy-ckpt-'));
    const file = join(dir, 'c.db');
    h = createDb(file, { checkpointEveryMs: 3_600_000 });
    await h.checkpointer!.stop();
    const before = statSync(file).size;
    commitRows(h, 1_500, 'b');
    expect(statSync(file).size).toBeGreaterThan(before);
    expect(await h.checkpointer!.now()).toEqual({ log: -1, checkpointed: -1 });
  });
});
