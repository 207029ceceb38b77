import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDb, type DbHandle } from './client.ts';
import { insertTeam, listTeams } from './teams.ts';

let dir: string;
let h: DbHandle;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sy-group-'));
  h = createDb(join(dir, 'test.db'));
});
afterEach(() => {
  h.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('grouped writes', () => {
  it('commits concurrent writes together, undoing only the one that threw', async () => {
    const results = await Promise.allSettled([
      h.grouped(() => insertTeam(h.db, 'a').name),
      h.grouped(() => {
        insertTeam(h.db, 'b');
        insertTeam(h.db, 'a'); // a duplicate name: this write fails, and its 'b' with it
      }),
      h.grouped(() => insertTeam(h.db, 'c').name),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(results[0]).toMatchObject({ value: 'a' });
    expect(listTeams(h.db).map((t) => t.name)).toEqual(['a', 'c']);
    // Committed: another connection sees them.
    const other = createDb(join(dir, 'test.db'));
    expect(listTeams(other.db).map((t) => t.name)).toEqual(['a', 'c']);
    other.close();
  });
});
