import { and, eq, gte, sql } from 'drizzle-orm';
import type { Db } from './client.ts';
import { teamDaily } from './dashboard.ts';
import { prepared } from './prepared.ts';

// A team's quota counters, read from the daily rollup (`team_daily`) that triggers keep in the
// same transaction as each task created and each cost recorded: a point or a month of rows,
// whatever the team's history holds.

/** The UTC day of `t` as the rollup keys it: YYYY-MM-DD. */
export function utcDay(t: number): string {
  return new Date(t).toISOString().slice(0, 10);
}

/** Tasks the team created on the UTC day of `t`. */
export function countTasksCreatedOn(db: Db, teamId: string, t: number): number {
  const stmt = prepared(db, 'countTasksCreatedOn', (d) =>
    d
      .select({ n: teamDaily.tasks })
      .from(teamDaily)
      .where(and(eq(teamDaily.teamId, sql.placeholder('teamId')), eq(teamDaily.day, sql.placeholder('day'))))
      .prepare(),
  );
  return stmt.get({ teamId, day: utcDay(t) })?.n ?? 0;
}

/** Cost of the team's turns recorded from the UTC day of `since` on (by when each was recorded). */
export function sumTeamCostSince(db: Db, teamId: string, since: number): number {
  const stmt = prepared(db, 'sumTeamCostSince', (d) =>
    d
      .select({ total: sql<number>`coalesce(sum(${teamDaily.costUsd}), 0)` })
      .from(teamDaily)
      .where(and(eq(teamDaily.teamId, sql.placeholder('teamId')), gte(teamDaily.day, sql.placeholder('day'))))
      .prepare(),
  );
  return stmt.get({ teamId, day: utcDay(since) })?.total ?? 0;
}
