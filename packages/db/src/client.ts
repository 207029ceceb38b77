import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
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
  /**
   * Whether SQLite takes a write now: room left under max_page_count (which tests lower to fill
   * the database — as root, chmod does not stop writes) and a small write done.
   */
  writable(): boolean;
  close(): void;
}

/** Fewer free pages than this (under max_page_count) and the database counts as full. */
const MIN_FREE_PAGES = 8;

/**
 * SQLite errors that mean "the store cannot take writes now, try again later" — disk or page
 * limit full, read-only, I/O failure, locked past busy_timeout — rather than a bug: they answer
 * 503 with Retry-After, not 500. Looks through `cause` (drizzle wraps driver errors).
 */
export function isStorageUnavailable(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    const storage = /^SQLITE_(FULL|READONLY|IOERR|BUSY|LOCKED|CANTOPEN)/;
    if (typeof code === 'string' && storage.test(code)) {
      return true;
    }
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

const MIGRATIONS = join(dirname(fileURLToPath(import.meta.url)), '..', 'drizzle');

/**
 * The database holds token hashes and every prompt: its files are the owner's only. SQLite
 * gives -wal and -shm the mode of the database file, so creating that one 0600 covers all
 * three; files left by an older version are narrowed too.
 */
function ownerOnly(file: string): void {
  closeSync(openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
}

/** Opens (creating if needed) the SQLite file in WAL mode and applies committed migrations. */
export function createDb(file: string): DbHandle {
  if (file !== ':memory:') {
    mkdirSync(dirname(file), { recursive: true });
    ownerOnly(file);
  }
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = drizzle(sqlite, { schema });
  migrate(db, { migrationsFolder: MIGRATIONS });
  const pragma = (name: string) => Number(sqlite.pragma(name, { simple: true }));
  const probe = sqlite.prepare(
    "insert into meta (key, value) values ('probe', ?) " +
      'on conflict(key) do update set value = excluded.value',
  );
  return {
    db,
    sqlite,
    tx: <T>(fn: () => T): T => sqlite.transaction(fn).immediate(),
    ping: () => sqlite.prepare('select 1 as ok').get() !== undefined,
    writable: () => {
      try {
        const free = pragma('max_page_count') - pragma('page_count') + pragma('freelist_count');
        if (free < MIN_FREE_PAGES) return false;
        probe.run(String(Date.now()));
        return true;
      } catch {
        return false;
      }
    },
    close: () => sqlite.close(),
  };
}
