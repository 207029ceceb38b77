import { createRoute, z } from '@hono/zod-openapi';
import { ConflictError, NotFoundError, QuotaSchema, TeamCreateSchema, TeamUsageSchema, TeamViewSchema } from '@switchyard/core';
import { findTeam, insertTeam, listTeams, setQuota, writeAudit } from '@switchyard/db';
import { teamUsage } from '@switchyard/scheduler';
import { assertAdmin, canSee } from '../auth.ts';
import type { RouteDeps } from '../context.ts';
import { teamView } from '../views.ts';
import { ErrorResponses, jsonBody, ok, RefParam, v1Router } from './openapi.ts';

const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());

/** `/v1/teams`: list, create (admin), get, quota (admin), usage. */
export function teamRoutes(deps: RouteDeps) {
  const app = v1Router();
  const { db: h, scheduler } = deps;
  const db = h.db;

  app.openapi(
    createRoute({ method: 'get', path: '/teams', summary: 'List teams the token may see', responses: { 200: ok(z.object({ teams: z.array(TeamViewSchema) })), ...ErrorResponses } }),
    (c) => {
      const p = c.get('principal');
      return c.json({ teams: listTeams(db).filter((t) => canSee(p, t.id)).map(teamView) }, 200);
    },
  );

  app.openapi(
    createRoute({ method: 'post', path: '/teams', summary: 'Create a team (admin)', request: { body: jsonBody(TeamCreateSchema) }, responses: { 201: ok(TeamViewSchema, 'Created'), ...ErrorResponses } }),
    (c) => {
      const p = c.get('principal');
      assertAdmin(p);
      const { name } = c.req.valid('json');
      if (findTeam(db, name)) throw new ConflictError(`team ${name} exists`);
      const team = h.tx(() => {
        const t = insertTeam(db, name);
        writeAudit(db, { actor: p.name, teamId: t.id, action: 'team.created', targetType: 'team', targetId: t.id, details: { name } });
        return t;
      });
      return c.json(teamView(team), 201);
    },
  );

  app.openapi(
    createRoute({ method: 'get', path: '/teams/{ref}', summary: 'Get a team by name or id', request: { params: RefParam }, responses: { 200: ok(TeamViewSchema), ...ErrorResponses } }),
    (c) => {
      const { ref } = c.req.valid('param');
      const team = findTeam(db, ref);
      if (!team || !canSee(c.get('principal'), team.id)) throw new NotFoundError('team', ref);
      return c.json(teamView(team), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/teams/{ref}/quota',
      summary: "Set a team's limits (null = unlimited) (admin)",
      request: { params: RefParam, body: jsonBody(QuotaSchema) },
      responses: { 200: ok(TeamViewSchema), ...ErrorResponses },
    }),
    (c) => {
      const p = c.get('principal');
      assertAdmin(p);
      const { ref } = c.req.valid('param');
      const team = findTeam(db, ref);
      if (!team) throw new NotFoundError('team', ref);
      const quota = c.req.valid('json');
      const row = h.tx(() => {
        const r = setQuota(db, team.id, quota);
        writeAudit(db, { actor: p.name, teamId: team.id, action: 'quota.updated', targetType: 'team', targetId: team.id, details: quota });
        return r;
      });
      scheduler.teamChanged(team.id);
      return c.json(teamView(row), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/teams/{ref}/usage',
      summary: "A team's running, queued, today's tasks and the month's spend against each limit",
      request: { params: RefParam },
      responses: { 200: ok(TeamUsageSchema), ...ErrorResponses },
    }),
    (c) => {
      const { ref } = c.req.valid('param');
      const team = findTeam(db, ref);
      if (!team || !canSee(c.get('principal'), team.id)) throw new NotFoundError('team', ref);
      const now = Date.now();
      const u = teamUsage(db, team.id, now);
      return c.json(
        {
          team: team.name,
          running: { current: u.running, limit: team.maxRunning },
          queued: { current: u.queued, limit: team.maxQueued },
          tasksToday: { current: u.tasksToday, limit: team.tasksPerDay },
          monthSpendUsd: { current: u.monthSpendUsd, limit: team.monthlyBudgetUsd },
          rateLimitedUntil: iso(team.rateLimitedUntil && team.rateLimitedUntil > now ? team.rateLimitedUntil : null),
        },
        200,
      );
    },
  );

  return app;
}
