import { and, asc, gte, inArray, lt, sql } from 'drizzle-orm';
import { integer, primaryKey, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { Db } from './client.ts';
import { workspaces } from './schema.ts';

// The dashboard's tables (migration 0002): kept in step by triggers and the sampler, read here.

export const workspaceSamples = sqliteTable(
  'workspace_samples',
  {
    workspaceId: text('workspace_id').notNull(),
    ts: integer('ts').notNull(),
    queued: integer('queued').notNull(),
    running: integer('running').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.ts] })],
);

export const teamDaily = sqliteTable(
  'team_daily',
  {
    teamId: text('team_id').notNull(),
    day: text('day').notNull(),
    tasks: integer('tasks').notNull(),
    costUsd: real('cost_usd').notNull(),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.day] })],
);

export type WorkspaceSampleRow = typeof workspaceSamples.$inferSelect;
export type TeamDailyRow = typeof teamDaily.$inferSelect;

/** How long samples and rollups are kept. */
export const SAMPLE_RETENTION_MS = 24 * 3600_000;
export const DAILY_RETENTION_DAYS = 400;

/**
 * Records queue depth and running tasks at `now` for every workspace whose load differs from its
 * last sample (a load holds until the next sample), and prunes what is past retention, keeping
 * each workspace's newest sample. Returns how many samples it wrote.
 */
export function sampleWorkspaces(db: Db, now: number): number {
  // The correlated subqueries name the outer table in full: drizzle writes a bare "id" for a
  // one-table select, which inside them would mean the task's id.
  const current = db
    .select({
      workspaceId: workspaces.id,
      queued: sql<number>`(SELECT count(*) FROM tasks t WHERE t.workspace_id = "workspaces"."id" AND t.status IN ('queued', 'rate_limited'))`,
      running: sql<number>`(SELECT count(*) FROM tasks t WHERE t.workspace_id = "workspaces"."id" AND t.status IN ('dispatched', 'running'))`,
    })
    .from(workspaces)
    .all();
  const last = new Map(latestSamples(db, now + 1).map((s) => [s.workspaceId, s]));
  const changed = current.filter((c) => {
    const l = last.get(c.workspaceId);
    return !l || l.queued !== c.queued || l.running !== c.running;
  });
  if (changed.length) {
    db.insert(workspaceSamples)
      .values(changed.map((r) => ({ ...r, ts: now })))
      .onConflictDoNothing()
      .run();
  }
  db.run(sql`DELETE FROM workspace_samples WHERE ts < ${now - SAMPLE_RETENTION_MS}
    AND ts < (SELECT max(s.ts) FROM workspace_samples s WHERE s.workspace_id = workspace_samples.workspace_id)`);
  const oldestDay = new Date(now - DAILY_RETENTION_DAYS * 86_400_000).toISOString().slice(0, 10);
  db.delete(teamDaily).where(lt(teamDaily.day, oldestDay)).run();
  return changed.length;
}

/** Each workspace's newest sample taken before `before`. */
function latestSamples(db: Db, before: number): WorkspaceSampleRow[] {
  return db.all<WorkspaceSampleRow>(sql`SELECT s.workspace_id AS workspaceId, s.ts, s.queued, s.running
    FROM workspace_samples s
    JOIN (SELECT workspace_id, max(ts) AS ts FROM workspace_samples WHERE ts < ${before} GROUP BY workspace_id) m
      ON m.workspace_id = s.workspace_id AND m.ts = s.ts`);
}

/** When the newest sample was taken, or null. */
export function lastSampleAt(db: Db): number | null {
  return db.select({ ts: sql<number | null>`max(${workspaceSamples.ts})` }).from(workspaceSamples).get()?.ts ?? null;
}

/**
 * Samples from `since` on, oldest first, of the given workspaces (all when omitted), each
 * workspace's series led by its last sample before `since` (the load it had when the window began).
 */
export function listWorkspaceSamples(db: Db, since: number, workspaceIds?: string[]): WorkspaceSampleRow[] {
  if (workspaceIds && workspaceIds.length === 0) return [];
  const wanted = workspaceIds ? new Set(workspaceIds) : null;
  const before = latestSamples(db, since).filter((s) => !wanted || wanted.has(s.workspaceId));
  const inside = db
    .select()
    .from(workspaceSamples)
    .where(and(gte(workspaceSamples.ts, since), workspaceIds ? inArray(workspaceSamples.workspaceId, workspaceIds) : undefined))
    .orderBy(asc(workspaceSamples.ts))
    .all();
  return [...before.sort((a, b) => a.ts - b.ts), ...inside];
}

/** Daily rollups from `sinceDay` (YYYY-MM-DD, UTC) on, of the given teams (all when omitted). */
export function listTeamDaily(db: Db, sinceDay: string, teamIds?: string[]): TeamDailyRow[] {
  if (teamIds && teamIds.length === 0) return [];
  return db
    .select()
    .from(teamDaily)
    .where(and(gte(teamDaily.day, sinceDay), teamIds ? inArray(teamDaily.teamId, teamIds) : undefined))
    .orderBy(asc(teamDaily.day))
    .all();
}
