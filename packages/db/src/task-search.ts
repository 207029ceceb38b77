import { sql, type SQL } from 'drizzle-orm';
import type { TaskStatus } from '@switchyard/core';
import type { Db } from './client.ts';
import { prepared } from './prepared.ts';
import { tasks } from './schema.ts';
import { indexPendingSearch } from './search-index.ts';
import type { TaskRow } from './tasks.ts';

export interface TaskSearch {
  /** Words typed by a person; each must appear (the last one as a prefix). */
  text: string;
  teamId?: string;
  workspaceId?: string;
  statuses?: TaskStatus[];
  /** Where the last page stopped (its `next`): only tasks created before it. */
  before?: number;
  limit: number;
}

/** A page of a search, newest first; `next` continues it, null when nothing is left. */
export interface SearchPage {
  rows: TaskRow[];
  next: number | null;
}

/** Matches checked against the filters at a time. */
export const SEARCH_STEP = 500;
/** Matches a page reads at most: about 5 ms of lookups at a million tasks. */
export const SEARCH_BUDGET = 10 * SEARCH_STEP;

/**
 * An FTS5 query from free text: every word a quoted phrase (so no operator or column filter a
 * user types is ever interpreted), the last one a prefix. Empty when there is no word.
 */
export function ftsQuery(text: string): string {
  const words = text.match(/[\p{L}\p{N}_]+/gu) ?? [];
  return words
    .slice(0, 16)
    .map((w, i, all) => `"${w}"${i === all.length - 1 ? '*' : ''}`)
    .join(' ');
}

/** The next matches of a search, newest first, read from the index in its own order. */
export const MATCHES = 'SELECT rowid FROM task_fts WHERE task_fts MATCH ? AND rowid < ? ORDER BY rowid DESC LIMIT ?';

/**
 * Tasks whose prompts or results match, newest first, at a cost bounded by the page, never by
 * how many tasks match. The index is read in its own order (a task's rowid, which grows as tasks
 * are created) a step at a time, down from `before`; each step's tasks are checked against the
 * filters, until the page is full. Sorting the matches by `created_at` instead read all of them:
 * a common word took 1.2 s of the event loop on a million tasks. A page reads at most
 * SEARCH_BUDGET matches: when the filters pass few of them, it comes back short, with a `next`
 * that goes on from where it stopped.
 */
export function searchTasks(db: Db, s: TaskSearch): SearchPage {
  const match = ftsQuery(s.text);
  if (!match) return { rows: [], next: null };
  // Tasks created since the indexer last ran are found too.
  indexPendingSearch(db);
  const matches = prepared(db, 'search:matches', (d) => d.$client.prepare(MATCHES).pluck());
  const passing = filtering(db, s);
  const hits: number[] = [];
  let step: number[] = [];
  let read = 0;
  let last = 0;
  // One run of the statement per page, read a step at a time: FTS5 gathers the matches of a
  // prefix (the last word) when a run starts, which a run per step paid again each step.
  for (const rowid of matches.iterate(match, s.before ?? Number.MAX_SAFE_INTEGER, SEARCH_BUDGET) as Iterable<number>) {
    step.push(rowid);
    read++;
    last = rowid;
    if (step.length === SEARCH_STEP) {
      hits.push(...passing(step));
      step = [];
      if (hits.length > s.limit) break;
    }
  }
  hits.push(...passing(step));
  if (hits.length > s.limit) {
    const page = hits.slice(0, s.limit);
    return { rows: rowsOf(db, page), next: page.at(-1)! };
  }
  // Fewer than the budget read: nothing older matches. Else the next page goes on from here.
  return { rows: rowsOf(db, hits), next: read < SEARCH_BUDGET ? null : last };
}

/**
 * Those of `rowids` (newest first) whose tasks pass the search's filters, in the same order. Each
 * task is looked up by its rowid (CROSS JOIN keeps json_each outside, unary + keeps the filters
 * off the indexes): led by `tasks_team_status`, the planner read a team's whole history.
 */
export const PASSING = `SELECT t.rowid FROM json_each(:rowids) AS j CROSS JOIN tasks AS t ON t.rowid = j.value
  WHERE (:team IS NULL OR +t.team_id = :team) AND (:workspace IS NULL OR +t.workspace_id = :workspace)
    AND (:statuses IS NULL OR +t.status IN (SELECT value FROM json_each(:statuses)))`;

function filtering(db: Db, s: TaskSearch): (rowids: number[]) => number[] {
  if (!s.teamId && !s.workspaceId && !s.statuses?.length) return (rowids) => rowids;
  const stmt = prepared(db, 'search:passing', (d) => d.$client.prepare(PASSING).pluck());
  const params = { team: s.teamId ?? null, workspace: s.workspaceId ?? null, statuses: s.statuses?.length ? JSON.stringify(s.statuses) : null };
  return (rowids) => {
    if (rowids.length === 0) return [];
    const pass = new Set(stmt.all({ ...params, rowids: JSON.stringify(rowids) }) as number[]);
    return rowids.filter((r) => pass.has(r));
  };
}

const inRowids = (rowids: number[]): SQL => sql`${tasks}.rowid IN (SELECT value FROM json_each(${JSON.stringify(rowids)}))`;

function rowsOf(db: Db, rowids: number[]): TaskRow[] {
  if (rowids.length === 0) return [];
  return db.select().from(tasks).where(inRowids(rowids)).orderBy(sql`${tasks}.rowid DESC`).all();
}
