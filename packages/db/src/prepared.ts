import { getTableColumns, is, sql, SQL } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { Db } from './client.ts';

// Statements on hot paths are built by drizzle and prepared by SQLite once per database handle,
// then reused with placeholders: building and preparing the same SQL on every call cost more
// than running it.

const caches = new WeakMap<Db, Map<string, unknown>>();

/** The statement `build` makes, built on first use per `db` and kept under `key`. */
export function prepared<T>(db: Db, key: string, build: (db: Db) => T): T {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  let stmt = cache.get(key) as T | undefined;
  if (stmt === undefined) {
    stmt = build(db);
    cache.set(key, stmt);
  }
  return stmt;
}

/**
 * A bare placeholder for column values the caller encodes itself with `encode`. drizzle's own
 * placeholder encodes a null through the column's mapper too (a JSON column would store the text
 * 'null', a boolean column 0), where an inline value keeps SQL NULL.
 */
export const slot = (name: string): SQL => sql`${sql.placeholder(name)}`;

type Row = Record<string, unknown>;

/** `values` as SQLite takes them for `table`'s columns: JSON as text, booleans as 0/1, null kept. */
export function encode(table: SQLiteTable, values: Row): Row {
  const columns = table as unknown as Record<string, SQLiteColumn>;
  const out: Row = {};
  for (const [k, v] of Object.entries(values)) {
    out[k] = v === null || v === undefined ? null : columns[k]!.mapToDriverValue(v);
  }
  return out;
}

/** The keys of `patch` with a value (drizzle skips undefined ones), sorted: a statement's shape. */
export function shapeOf(patch: Row): string[] {
  return Object.keys(patch)
    .filter((k) => patch[k] !== undefined)
    .sort();
}

/** `{ key: slot(key) }` for each key: the SET or VALUES of a statement of that shape. */
export function slots(keys: string[], prefix = ''): Record<string, SQL> {
  return Object.fromEntries(keys.map((k) => [k, slot(prefix + k)]));
}

/** `values` encoded for `table`, each key renamed `prefix + key`. */
export function encodePrefixed(table: SQLiteTable, values: Row, prefix: string): Row {
  const enc = encode(table, values);
  const out: Row = {};
  for (const k of Object.keys(enc)) out[prefix + k] = enc[k];
  return out;
}

interface RunStatement {
  run(values: Row): unknown;
}
interface GetStatement<T> {
  get(values: Row): T | undefined;
}

/**
 * Inserts one row of `table` through a statement prepared once per shape of `values` (which
 * columns it sets); the columns left out take their schema defaults, as drizzle would give them.
 */
export function insertRow<T>(db: Db, name: string, table: SQLiteTable, values: Row, returning: true): T;
export function insertRow(db: Db, name: string, table: SQLiteTable, values: Row, returning: false): void;
export function insertRow<T>(db: Db, name: string, table: SQLiteTable, values: Row, returning: boolean): T | void {
  const keys = shapeOf(values);
  const stmt = prepared(db, `insert:${name}:${returning}:${keys.join(',')}`, (d) => {
    const q = d.insert(table).values(slots(keys) as never);
    return (returning ? q.returning().prepare() : q.prepare()) as unknown as GetStatement<T> & RunStatement;
  });
  const params = encode(table, pick(values, keys));
  if (!returning) return void stmt.run(params);
  return stmt.get(params)!;
}

/**
 * The row `table` holds after inserting `values`: each column left out takes its schema default
 * (a fresh copy of an object default) or null. What `RETURNING *` would read back, without
 * reading it: building a forty-column row from SQLite was a tenth of a create. Only for tables
 * whose defaults are plain values (a default in SQL throws here, so a new one is noticed).
 */
export function rowAsInserted<T>(table: SQLiteTable, values: Row): T {
  const row: Row = {};
  for (const [key, column] of Object.entries(getTableColumns(table))) {
    const v = values[key];
    if (v !== undefined) row[key] = v;
    else if (!column.hasDefault) row[key] = null;
    else if (is(column.default, SQL) || column.defaultFn) throw new Error(`${key} has a default computed in SQL or a function`);
    else row[key] = typeof column.default === 'object' && column.default !== null ? structuredClone(column.default) : column.default;
  }
  return row as T;
}

function pick(values: Row, keys: string[]): Row {
  const out: Row = {};
  for (const k of keys) out[k] = values[k];
  return out;
}
