import { getTableColumns, getTableName, is, sql, SQL } from 'drizzle-orm';
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
 * Whether a row read now may be kept in a cache until its table is written: not inside a
 * transaction, which may roll back what it wrote (the cache would keep a write that never was).
 */
export const keepable = (db: Db): boolean => !db.$client.inTransaction;

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

/**
 * Inserts and returns the row `table` holds after inserting `values` (rowAsInserted: each column
 * left out takes its schema default; an autoincrement id left out is given by SQLite and is null
 * in the row returned), every column in one fixed order through one statement per table:
 * positional values, no shape to look up and no placeholders to fill.
 */
export function insertRow<T>(db: Db, table: SQLiteTable, values: Row): T {
  const plan = prepared(db, `insert:${getTableName(table)}`, () => {
    const columns = Object.entries(getTableColumns(table));
    const names = columns.map(([, c]) => `"${c.name}"`).join(', ');
    const sql = `insert into "${getTableName(table)}" (${names}) values (${columns.map(() => '?').join(', ')})`;
    return { stmt: db.$client.prepare(sql), keys: columns.map(([k]) => k), columns: columns.map(([, c]) => c) };
  });
  const row = rowAsInserted<Row>(table, values);
  const params = new Array<unknown>(plan.keys.length);
  for (let i = 0; i < params.length; i++) {
    const v = row[plan.keys[i]!];
    params[i] = v === null || v === undefined ? null : plan.columns[i]!.mapToDriverValue(v);
  }
  plan.stmt.run(params);
  return row as T;
}

/**
 * The row `table` holds after inserting `values`: each column left out takes its schema default
 * (a fresh copy of an object default) or null. What `RETURNING *` would read back, without
 * reading it: building a forty-column row from SQLite was a tenth of a create. Only for tables
 * whose defaults are plain values (a default in SQL throws here, so a new one is noticed).
 */
export function rowAsInserted<T>(table: SQLiteTable, values: Row): T {
  return builderOf(table)(values) as T;
}

const builders = new WeakMap<SQLiteTable, (values: Row) => Row>();

/**
 * rowAsInserted for `table` as one object literal with every column in a fixed order, compiled
 * once per table from its schema's keys: a forty-key object built key by key was a few µs of a
 * create (4.6–5.3 µs for a create's four rows), the literal a third of that (1.7). Only the
 * schema's own column keys are written into the code, quoted; values are passed, never compiled.
 */
function builderOf(table: SQLiteTable): (values: Row) => Row {
  let build = builders.get(table);
  if (!build) {
    const list = defaultsOf(table);
    const fields = list.map(([key, fallback], i) => {
      const k = JSON.stringify(key);
      const otherwise = typeof fallback === 'object' && fallback !== null ? `structuredClone(d[${i}])` : `d[${i}]`;
      return `${k}: v[${k}] !== undefined ? v[${k}] : ${otherwise}`;
    });
    const compiled = new Function('d', `return (v) => ({ ${fields.join(', ')} });`) as (d: unknown[]) => (values: Row) => Row;
    build = compiled(list.map(([, fallback]) => fallback));
    builders.set(table, build);
  }
  return build;
}

const defaults = new WeakMap<SQLiteTable, [string, unknown][]>();

/** Each column of `table` with the value it takes when left out. */
function defaultsOf(table: SQLiteTable): [string, unknown][] {
  let list = defaults.get(table);
  if (!list) {
    list = Object.entries(getTableColumns(table)).map(([key, column]) => {
      if (!column.hasDefault) return [key, null];
      if (is(column.default, SQL) || column.defaultFn) throw new Error(`${key} has a default computed in SQL or a function`);
      return [key, column.default];
    });
    defaults.set(table, list);
  }
  return list;
}
