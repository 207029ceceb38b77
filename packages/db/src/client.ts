import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { startCheckpointer, type Checkpointer } from './checkpointer.ts';
import * as schema from './schema.ts';

/** The drizzle database; `$client` is its better-sqlite3 connection, for statements drizzle cannot build. */
export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

export interface DbHandle {
  db: Db;
  sqlite: Database.Database;
  /** Runs fn in one synchronous SQLite transaction (BEGIN IMMEDIATE). */
  tx<T>(fn: () => T): T;
  /**
   * Runs fn in a transaction shared with the other `grouped` calls of the same turn of the event
   * loop, committed once for all; one that throws is undone alone. Resolves with fn's result once
   * the commit is done. Many concurrent writers then pay for one commit — its pages written once
   * — instead of one each. fn must only read and write the database: it may run twice.
   */
  grouped<T>(fn: () => T): Promise<T>;
  ping(): boolean;
  /**
   * Whether SQLite takes a write now: room left under max_page_count (which tests lower to fill
   * the database — as root, chmod does not stop writes) and a small write done.
   */
  writable(): boolean;
  /** The worker thread that checkpoints the WAL, when asked for (`createDb`'s option). */
  checkpointer?: Checkpointer;
  close(): void;
}

export interface DbOptions {
  /**
   * Checkpoint the WAL from a worker thread every this many ms instead of inside commits (see
   * checkpointer.ts): for the API's connection, which serves requests.
   */
  checkpointEveryMs?: number;
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

/**
 * A UNIQUE constraint refused a write; with `on` (SQLite names the columns, e.g.
 * `tasks.idempotency_key`), only when it was that one.
 */
export function isUniqueViolation(err: unknown, on?: string): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  return e?.code === 'SQLITE_CONSTRAINT_UNIQUE' && (on === undefined || String(e.message).includes(on));
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

interface Pending {
  fn: () => unknown;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; err: unknown };

/**
 * `DbHandle.grouped`: a queue of writes flushed as one transaction on the next setImmediate.
 * The batch runs flat first; only if one of its writes throws is the batch undone and run again,
 * each write in its own savepoint. A savepoint per write cost a tenth of a create, and a write
 * that throws is rare (a quota refused, a duplicate).
 */
function groupCommit(sqlite: Database.Database): <T>(fn: () => T) => Promise<T> {
  let pending: Pending[] = [];
  /** Set when a write of the flat run threw (not BEGIN or COMMIT): only that is worth a second run. */
  let writeThrew = false;
  const flat = (batch: Pending[]): Outcome[] =>
    batch.map((p) => {
      try {
        return { ok: true, value: p.fn() };
      } catch (err) {
        writeThrew = true;
        throw err;
      }
    });
  const apart = (batch: Pending[]): Outcome[] =>
    batch.map((p) => {
      try {
        return { ok: true, value: sqlite.transaction(p.fn)() };
      } catch (err) {
        return { ok: false, err };
      }
    });
  const flush = (): void => {
    const batch = pending;
    pending = [];
    let results: Outcome[];
    writeThrew = false;
    try {
      try {
        results = sqlite.transaction(flat).immediate(batch);
      } catch (err) {
        if (!writeThrew) throw err;
        results = sqlite.transaction(apart).immediate(batch);
      }
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    batch.forEach((p, i) => {
      const r = results[i]!;
      if (r.ok) p.resolve(r.value);
      else p.reject(r.err);
    });
  };
  return <T>(fn: () => T): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (pending.length === 0) setImmediate(flush);
      pending.push({ fn, resolve: resolve as (v: unknown) => void, reject });
    });
}

/** Opens (creating if needed) the SQLite file in WAL mode and applies committed migrations. */
export function createDb(file: string, opts: DbOptions = {}): DbHandle {
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
  // A savepoint's undo pages (a create's are about 60 KiB) spill to a temporary file past 64 KiB:
  // a file opened, written and removed per create of a grouped commit was a tenth of its CPU.
  // Set after the migrations, whose index builds may sort more than memory should hold.
  sqlite.pragma('temp_store = MEMORY');
  const pragma = (name: string) => Number(sqlite.pragma(name, { simple: true }));
  const probe = sqlite.prepare(
    "insert into meta (key, value) values ('probe', ?) " +
      'on conflict(key) do update set value = excluded.value',
  );
  const checkpointer = opts.checkpointEveryMs && file !== ':memory:' ? startCheckpointer(sqlite, file, opts.checkpointEveryMs) : undefined;
  return {
    db,
    sqlite,
    checkpointer,
    tx: <T>(fn: () => T): T => sqlite.transaction(fn).immediate(),
    grouped: groupCommit(sqlite),
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
    close: () => {
      void checkpointer?.stop();
      sqlite.close();
    },
  };
}
