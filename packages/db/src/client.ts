import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema.ts';

export type Db = BetterSQLite3Database<typeof schema>;

export interface DbHandle {
  db: Db;
  sqlite: Database.Database;
  /** Runs fn in one synchronous SQLite transaction (BEGIN IMMEDIATE). */
  tx<T>(fn: () => T): T;
  ping(): boolean;
  close(): void;
}

const MIGRATIONS = join(dirname(fileURLToPath(import.meta.url)), '..', 'drizzle');

/** Opens (creating if needed) the SQLite file in WAL mode and applies committed migrations. */
export function createDb(file: string): DbHandle {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = drizzle(sqlite, { schema });
  migrate(db, { migrationsFolder: MIGRATIONS });
  return {
    db,
    sqlite,
    tx: <T>(fn: () => T): T => sqlite.transaction(fn).immediate(),
    ping: () => sqlite.prepare('select 1 as ok').get() !== undefined,
    close: () => sqlite.close(),
  };
}
