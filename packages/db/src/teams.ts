import { eq, or, sql } from 'drizzle-orm';
import { newId, type Quota } from '@switchyard/core';
import type { Db } from './client.ts';
import { prepared } from './prepared.ts';
import { teams } from './schema.ts';

export type TeamRow = typeof teams.$inferSelect;

export function insertTeam(db: Db, name: string, now = Date.now()): TeamRow {
  return db.insert(teams).values({ id: newId('team'), name, createdAt: now }).returning().get();
}

/** A team by id or name. */
export function findTeam(db: Db, ref: string): TeamRow | undefined {
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
  return db.update(teams).set(quota).where(eq(teams.id, teamId)).returning().get()!;
}

export function setTeamRateLimit(db: Db, teamId: string, until: number | null): void {
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
