import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { createDb, type DbHandle } from './client.ts';

/** A fresh database file for each test of the calling file, removed after it. */
export function useTempDb(): { readonly h: DbHandle; readonly dir: string } {
  const ctx = {} as { h: DbHandle; dir: string };
  beforeEach(() => {
    ctx.dir = mkdtempSync(join(tmpdir(), 'sy-db-'));
    ctx.h = createDb(join(ctx.dir, 'test.db'));
  });
  afterEach(() => {
    ctx.h.close();
    rmSync(ctx.dir, { recursive: true, force: true });
  });
  return ctx;
}
