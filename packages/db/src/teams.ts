import { eq, or, sql } from 'drizzle-orm';
import { newId, type Quota } from '@switchyard/core';
import type { Db } from './client.ts';
import { keepable, prepared } from './prepared.ts';
import { teams } from './schema.ts';

export type TeamRow = typeof teams.$inferSelect;

export function insertTeam(db: Db, name: string, now = Date.now()): TeamRow {
  changed(db);
  return db.insert(teams).values({ id: newId('team'), name, createdAt: now }).returning().get();
}

/**
 * Teams by id and name, from memory until a team is written (insertTeam, setQuota,
 * setTeamRateLimit: the only writers); nothing read inside a transaction is kept (keepable).
 * Bounded by the number of teams (two entries each).
 */
const cached = new WeakMap<Db, Map<string, TeamRow>>();

function changed(db: Db): void {
  cached.delete(db);
}

/** A team by id or name: what every create checks its quota against. */
export function findTeam(db: Db, ref: string): TeamRow | undefined {
  const hit = cached.get(db)?.get(ref);
  if (hit) return hit;
  const team = readTeam(db, ref);
  if (team && keepable(db)) {
    let byRef = cached.get(db);
    if (!byRef) cached.set(db, (byRef = new Map()));
    byRef.set(team.id, team).set(team.name, team);
  }
  return team;
}

function readTeam(db: Db, ref: string): TeamRow | undefined {
  const stmt = prepared(db, 'findTeam', (d) =>
    d
      .select()
      .from(teams)
      .where(or(eq(teams.id, sql.placeholder('ref')), eq(teams.name, sql.placeholder('ref'))))
      .prepare(),
  );
  return stmt.get({ ref });
}

export function listTeams(db: Db): TeamRow[] {
  return db.select().from(teams).orderBy(teams.name).all();
}

export function setQuota(db: Db, teamId: string, quota: Quota): TeamRow {
  changed(db);
  return db.update(teams).set(quota).where(eq(teams.id, teamId)).returning().get()!;
}

export function setTeamRateLimit(db: Db, teamId: string, until: number | null): void {
  changed(db);
  db.update(teams).set({ rateLimitedUntil: until }).where(eq(teams.id, teamId)).run();
}

export function quotaOf(team: TeamRow): Quota {
  return {
    maxRunning: team.maxRunning,
    maxQueued: team.maxQueued,
    tasksPerDay: team.tasksPerDay,
    monthlyBudgetUsd: team.monthlyBudgetUsd,
  };
}
