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
});
