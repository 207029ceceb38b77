import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDb } from './client.ts';
import { insertTeam, listTeams } from './teams.ts';
import { useTempDb } from './test-support.ts';

const ctx = useTempDb();

describe('grouped writes', () => {
  it('commits concurrent writes together, undoing only the one that threw', async () => {
    const results = await Promise.allSettled([
      ctx.h.grouped(() => insertTeam(ctx.h.db, 'a').name),
      ctx.h.grouped(() => {
        insertTeam(ctx.h.db, 'b');
        insertTeam(ctx.h.db, 'a'); // a duplicate name: this write fails, and its 'b' with it
      }),
      ctx.h.grouped(() => insertTeam(ctx.h.db, 'c').name),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(results[0]).toMatchObject({ value: 'a' });
    expect(listTeams(ctx.h.db).map((t) => t.name)).toEqual(['a', 'c']);
    // Committed: another connection sees them.
    const other = createDb(join(ctx.dir, 'test.db'));
    expect(listTeams(other.db).map((t) => t.name)).toEqual(['a', 'c']);
    other.close();
  });

  it('runs no write twice when the commit itself fails, and tells each writer why', async () => {
    let runs = 0;
    // A foreign key checked at COMMIT (deferred): every write succeeds, the commit refuses them.
    const orphanTurn = () => {
      runs++;
      ctx.h.sqlite.pragma('defer_foreign_keys = ON');
      ctx.h.sqlite.prepare("insert into turns (task_id, n, prompt, status, created_at) values ('tsk_none', 1, 'p', 'queued', 0)").run();
    };
    const results = await Promise.allSettled([ctx.h.grouped(orphanTurn), ctx.h.grouped(() => insertTeam(ctx.h.db, 'a').name)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/);
    expect(runs).toBe(1);
    expect(listTeams(ctx.h.db)).toEqual([]);
  });
});
