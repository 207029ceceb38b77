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

/** `h`, on a database whose checkpointer's own timer is an hour away: only `now()` checkpoints. */
function open(): { file: string; db: DbHandle } {
  dir = mkdtempSync(join(tmpdir(), 'sy-ckpt-'));
  const file = join(dir, 'c.db');
  h = createDb(file, { checkpointEveryMs: 3_600_000 });
  return { file, db: h };
}

/**
 * How many bytes the database file grows by while 1,500 rows of 3 KB are committed one at a
 * time: past SQLite's default of 1,000 WAL pages, where a commit copies them into the file.
 */
function growthOnCommit(db: DbHandle, file: string, tag: string): number {
  const before = statSync(file).size;
  const put = db.sqlite.prepare('insert into meta (key, value) values (?, ?)');
  const value = 'x'.repeat(3_000);
  for (let i = 0; i < 1_500; i++) put.run(`${tag}${i}`, value);
  return statSync(file).size - before;
}

describe('WAL checkpoints in a worker thread', () => {
  it('leaves the database file alone on commit, and the worker brings it up to date', async () => {
    const { file, db } = open();
    await db.checkpointer!.now();
    const before = statSync(file).size;
    // No commit copies pages on the thread that serves requests.
    expect(growthOnCommit(db, file, 'a')).toBe(0);

    const done = await db.checkpointer!.now();
    expect(done.log).toBeGreaterThanOrEqual(1_500);
    expect(done.checkpointed).toBe(done.log);
    expect(statSync(file).size).toBeGreaterThan(before + 1_500 * 3_000);
    // The rows are the database's: a connection opened afterwards reads them all.
    db.close();
    const again = createDb(file);
    h = again;
    expect(again.sqlite.prepare("select count(*) as n from meta where key like 'a%'").get()).toEqual({ n: 1_500 });
  });

  it('checkpoints on commit again when its worker is gone', async () => {
    const { file, db } = open();
    await db.checkpointer!.stop();
    expect(growthOnCommit(db, file, 'b')).toBeGreaterThan(0);
    expect(await db.checkpointer!.now()).toEqual({ log: -1, checkpointed: -1 });
  });
});
