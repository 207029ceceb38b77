import { createRoute, z } from '@hono/zod-openapi';
import { NotFoundError, TeamDailySchema, WorkspaceSeriesSchema } from '@switchyard/core';
import { findTeam, findWorkspace, listTeamDaily, listTeams, listWorkspaceSamples, listWorkspaces } from '@switchyard/db';
import { canSee } from '../auth.ts';
import type { RouteDeps } from '../context.ts';
import { ErrorResponses, ok, v1Router } from './openapi.ts';
import { startSampler, SAMPLE_INTERVAL_MS } from './stats-sampler.ts';

const iso = (t: number): string => new Date(t).toISOString();
const DAY_MS = 86_400_000;

const workspaceSeries = createRoute({
  method: 'get',
  path: '/stats/workspaces',
  summary: 'Queue depth and running tasks per workspace over the last minutes',
  description: 'From samples the API keeps in SQLite for a day: taken when a workspace’s load changes, at most one a minute.',
  request: {
    query: z.strictObject({
      minutes: z.coerce.number().int().min(1).max(1440).default(60),
      workspace: z.string().max(80).optional(),
    }),
  },
  responses: { 200: ok(WorkspaceSeriesSchema), ...ErrorResponses },
});

const teamDaily = createRoute({
  method: 'get',
  path: '/stats/teams',
  summary: 'Tasks created and spend per team per UTC day',
  description: 'From daily rollups kept in the same transaction as each task change, for 400 days.',
  request: {
    query: z.strictObject({
      days: z.coerce.number().int().min(1).max(400).default(30),
      team: z.string().max(80).optional(),
    }),
  },
  responses: { 200: ok(TeamDailySchema), ...ErrorResponses },
});

/** `/v1/stats/*`: the series behind the dashboard's charts, limited to the teams the token sees. */
export function statsRoutes(deps: RouteDeps) {
  const app = v1Router();
  const db = deps.db.db;
  startSampler(deps);

  app.openapi(workspaceSeries, (c) => {
    const p = c.get('principal');
    const q = c.req.valid('query');
    let list = listWorkspaces(db).filter((w) => canSee(p, w.teamId));
    if (q.workspace) {
      const ws = findWorkspace(db, q.workspace);
      if (!ws || !canSee(p, ws.teamId)) throw new NotFoundError('workspace', q.workspace);
      list = [ws];
    }
    const until = Date.now();
    const since = until - q.minutes * 60_000;
    const bySpace = new Map<string, { ts: string; queued: number; running: number }[]>();
    const ids = p.role === 'admin' && !q.workspace ? undefined : list.map((w) => w.id);
    for (const s of listWorkspaceSamples(db, since, ids)) {
      const series = bySpace.get(s.workspaceId) ?? [];
      // A load from before the window is where the window's line starts.
      series.push({ ts: iso(Math.max(s.ts, since)), queued: s.queued, running: s.running });
      bySpace.set(s.workspaceId, series);
    }
    const teams = new Map(listTeams(db).map((t) => [t.id, t.name]));
    const workspaces = list.map((w) => ({ workspace: w.name, team: teams.get(w.teamId) ?? w.teamId, samples: bySpace.get(w.id) ?? [] }));
    return c.json({ since: iso(since), until: iso(until), intervalSec: SAMPLE_INTERVAL_MS / 1000, workspaces }, 200);
  });

  app.openapi(teamDaily, (c) => {
    const p = c.get('principal');
    const q = c.req.valid('query');
    let list = listTeams(db).filter((t) => canSee(p, t.id));
    if (q.team) {
      const team = findTeam(db, q.team);
      if (!team || !canSee(p, team.id)) throw new NotFoundError('team', q.team);
      list = [team];
    }
    const today = Date.now();
    const days = Array.from({ length: q.days }, (_, i) => iso(today - (q.days - 1 - i) * DAY_MS).slice(0, 10));
    const rows = listTeamDaily(db, days[0]!, list.map((t) => t.id));
    const teams = list.map((t) => {
      const byDay = new Map(rows.filter((r) => r.teamId === t.id).map((r) => [r.day, r]));
      return {
        team: t.name,
        days: days.map((day) => ({ day, tasks: byDay.get(day)?.tasks ?? 0, costUsd: Math.round((byDay.get(day)?.costUsd ?? 0) * 1e6) / 1e6 })),
      };
    });
    return c.json({ days, teams }, 200);
  });

  return app;
}
