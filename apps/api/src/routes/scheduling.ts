import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import {
  NotFoundError,
  QuotaSchema,
  TeamUsageSchema,
  TeamViewSchema,
  WorkspacePatchSchema,
  WorkspaceViewSchema,
} from '@switchyard/core';
import { findTeam, findWorkspace, setQuota, updateWorkspace, writeAudit } from '@switchyard/db';
import { teamUsage } from '@switchyard/scheduler';
import { assertAdmin, assertCanWrite, canSee } from '../auth.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { teamView, workspaceView } from '../views.ts';
import { checkWorkdir } from '../workdir.ts';
import { ErrorResponses, jsonBody, validationHook } from './common.ts';

const Ref = z.object({ ref: z.string().min(1).max(80) });
const ok = <T extends z.ZodType>(schema: T) => ({ description: 'OK', content: { 'application/json': { schema } } });

/** Concurrency, pause, pools, quotas, usage and the reconciler's report. */
export function schedulingRoutes(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const { db: h, scheduler } = deps;
  const db = h.db;

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/workspaces/{ref}',
      summary: 'Change concurrency, pause, pool membership, rate-limit scope, labels or roots; takes effect at once',
      request: { params: Ref, body: jsonBody(WorkspacePatchSchema) },
      responses: { 200: ok(WorkspaceViewSchema), ...ErrorResponses },
    }),
    async (c) => {
      const p = c.get('principal');
      const { ref } = c.req.valid('param');
      const patch = c.req.valid('json');
      const ws = findWorkspace(db, ref);
      if (!ws || !canSee(p, ws.teamId)) throw new NotFoundError('workspace', ref);
      assertCanWrite(p, ws.teamId, 'workspace', ref);
      if (patch.workdirRoots) patch.workdirRoots = patch.workdirRoots.map((r) => checkWorkdir(r, ['/']));
      const row = h.tx(() => {
        const r = updateWorkspace(db, ws.id, patch);
        writeAudit(db, { actor: p.name, teamId: ws.teamId, action: 'workspace.updated', targetType: 'workspace', targetId: ws.id, details: patch });
        return r;
      });
      await scheduler.workspaceChanged(row);
      return c.json(workspaceView(db, scheduler, row), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/teams/{ref}/quota',
      summary: "Set a team's limits (null = unlimited) (admin)",
      request: { params: Ref, body: jsonBody(QuotaSchema) },
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
      request: { params: Ref },
      responses: { 200: ok(TeamUsageSchema), ...ErrorResponses },
    }),
    (c) => {
      const { ref } = c.req.valid('param');
      const team = findTeam(db, ref);
      if (!team || !canSee(c.get('principal'), team.id)) throw new NotFoundError('team', ref);
      const u = teamUsage(db, team.id, Date.now());
      return c.json(
        {
          team: team.name,
          running: { current: u.running, limit: team.maxRunning },
          queued: { current: u.queued, limit: team.maxQueued },
          tasksToday: { current: u.tasksToday, limit: team.tasksPerDay },
          monthSpendUsd: { current: u.monthSpendUsd, limit: team.monthlyBudgetUsd },
          rateLimitedUntil: team.rateLimitedUntil && team.rateLimitedUntil > Date.now() ? new Date(team.rateLimitedUntil).toISOString() : null,
        },
        200,
      );
    },
  );

  const Report = z.object({
    ranAt: z.string().nullable(),
    enqueued: z.array(z.string()),
    removedJobs: z.array(z.string()),
    requeuedLeases: z.array(z.string()),
  });

  app.openapi(
    createRoute({
      method: 'get',
      path: '/admin/consistency',
      summary: 'What the reconciler found and fixed at its last run (?run=1 runs it now) (admin)',
      request: { query: z.strictObject({ run: z.enum(['0', '1']).optional() }) },
      responses: { 200: ok(Report), ...ErrorResponses },
    }),
    async (c) => {
      assertAdmin(c.get('principal'));
      if (c.req.valid('query').run === '1') await scheduler.reconcile();
      return c.json(scheduler.lastReconcile(), 200);
    },
  );

  return app;
}
