import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import {
  AgentViewSchema,
  AuditEntrySchema,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  TeamCreateSchema,
  TeamViewSchema,
  TokenCreatedSchema,
  TokenCreateSchema,
  TokenViewSchema,
  ValidationError,
  WorkspaceCreateSchema,
  WorkspaceViewSchema,
} from '@switchyard/core';
import {
  findTeam,
  findToken,
  findWorkspace,
  insertTeam,
  insertToken,
  insertWorkspace,
  listAgents,
  listAudit,
  listTeams,
  listTokens,
  listWorkspaces,
  revokeToken,
  writeAudit,
} from '@switchyard/db';
import { assertAdmin, canSee } from '../auth.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { agentView, auditView, teamView, tokenView, workspaceView } from '../views.ts';
import { checkWorkdir } from '../workdir.ts';
import { ErrorResponses, jsonBody, validationHook } from './common.ts';

/** Roots a new workspace allows when none are given: the usual homes of workspace pods. */
export const DEFAULT_WORKDIR_ROOTS = ['/home', '/tmp', '/workspace'];

const Ref = z.object({ ref: z.string().min(1).max(80) });
const ok = <T extends z.ZodType>(schema: T, description = 'OK') => ({
  description,
  content: { 'application/json': { schema } },
});

/** Teams, tokens, workspaces (create, agent token), agents, audit, me. */
export function adminRoutes(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const { db: h } = deps;
  const db = h.db;


  app.openapi(
    createRoute({ method: 'get', path: '/me', summary: 'The calling token', responses: { 200: ok(TokenViewSchema), ...ErrorResponses } }),
    (c) => c.json(tokenView(db, findToken(db, c.get('principal').tokenId)!), 200),
  );

  // ---- teams -------------------------------------------------------------------------------
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
    createRoute({ method: 'get', path: '/teams/{ref}', summary: 'Get a team by name or id', request: { params: Ref }, responses: { 200: ok(TeamViewSchema), ...ErrorResponses } }),
    (c) => {
      const { ref } = c.req.valid('param');
      const team = findTeam(db, ref);
      if (!team || !canSee(c.get('principal'), team.id)) throw new NotFoundError('team', ref);
      return c.json(teamView(team), 200);
    },
  );

  // ---- workspaces ----------------------------------------------------------------------------
  app.openapi(
    createRoute({ method: 'post', path: '/workspaces', summary: 'Create a workspace (admin)', request: { body: jsonBody(WorkspaceCreateSchema) }, responses: { 201: ok(WorkspaceViewSchema, 'Created'), ...ErrorResponses } }),
    (c) => {
      const p = c.get('principal');
      assertAdmin(p);
      const body = c.req.valid('json');
      const team = findTeam(db, body.team);
      if (!team) throw new NotFoundError('team', body.team);
      if (findWorkspace(db, body.name)) throw new ConflictError(`workspace ${body.name} exists`);
      const roots = (body.workdirRoots ?? DEFAULT_WORKDIR_ROOTS).map((r) => checkWorkdir(r, ['/']));
      const ws = h.tx(() => {
        const w = insertWorkspace(db, {
          name: body.name,
          teamId: team.id,
          maxConcurrency: body.maxConcurrency ?? 1,
          paused: body.paused ?? false,
          pool: body.pool ?? false,
          rateLimitScope: body.rateLimitScope ?? 'workspace',
          labels: body.labels ?? {},
          workdirRoots: roots,
        });
        writeAudit(db, { actor: p.name, teamId: team.id, action: 'workspace.created', targetType: 'workspace', targetId: w.id, details: { name: w.name, team: team.name } });
        return w;
      });
      return c.json(workspaceView(db, deps.scheduler, ws), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/workspaces/{ref}/agent-token',
      summary: 'Issue an agent token for a workspace (admin); the secret is shown once',
      request: { params: Ref },
      responses: { 201: ok(TokenCreatedSchema, 'Created'), ...ErrorResponses },
    }),
    (c) => {
      const p = c.get('principal');
      assertAdmin(p);
      const { ref } = c.req.valid('param');
      const ws = findWorkspace(db, ref);
      if (!ws) throw new NotFoundError('workspace', ref);
      const { row, secret } = h.tx(() => {
        const created = insertToken(db, { kind: 'agent', name: `agent-${ws.name}`, role: 'agent', teamId: ws.teamId, workspaceId: ws.id, createdBy: p.tokenId });
        writeAudit(db, { actor: p.name, teamId: ws.teamId, action: 'token.created', targetType: 'token', targetId: created.row.id, details: { kind: 'agent', workspace: ws.name } });
        return created;
      });
      return c.json({ ...tokenView(db, row), token: secret }, 201);
    },
  );

  app.openapi(
    createRoute({ method: 'get', path: '/agents', summary: 'Agents with online state, last seen and readiness', responses: { 200: ok(z.object({ agents: z.array(AgentViewSchema) })), ...ErrorResponses } }),
    (c) => {
      const p = c.get('principal');
      const agents = listWorkspaces(db)
        .filter((w) => canSee(p, w.teamId))
        .flatMap((w) => listAgents(db, w.id).map((a) => agentView(a, w.name, deps.scheduler.isOnline(a))));
      return c.json({ agents }, 200);
    },
  );

  // ---- tokens --------------------------------------------------------------------------------
  app.openapi(
    createRoute({
      method: 'post',
      path: '/tokens',
      summary: 'Create a user token (admin); the secret is shown once',
      request: { body: jsonBody(TokenCreateSchema) },
      responses: { 201: ok(TokenCreatedSchema, 'Created'), ...ErrorResponses },
    }),
    (c) => {
      const p = c.get('principal');
      assertAdmin(p);
      const body = c.req.valid('json');
      const team = body.team ? findTeam(db, body.team) : undefined;
      if (body.team && !team) throw new NotFoundError('team', body.team);
      if (body.role !== 'admin' && !team) {
        throw new ValidationError(`a ${body.role} token needs a team`, { field: 'team' });
      }
      const ws = body.defaultWorkspace ? findWorkspace(db, body.defaultWorkspace) : undefined;
      if (body.defaultWorkspace && !ws) throw new NotFoundError('workspace', body.defaultWorkspace);
      if (ws && team && ws.teamId !== team.id) {
        throw new ValidationError(`workspace ${ws.name} is not in team ${team.name}`, { field: 'defaultWorkspace' });
      }
      const expiresAt = body.expiresAt ? Date.parse(body.expiresAt) : null;
      if (expiresAt !== null && expiresAt <= Date.now()) {
        throw new ValidationError('expiresAt is in the past', { field: 'expiresAt' });
      }
      const { row, secret } = h.tx(() => {
        const created = insertToken(db, {
          kind: 'user',
          name: body.name,
          role: body.role,
          teamId: team?.id ?? null,
          defaultWorkspaceId: ws?.id ?? null,
          expiresAt,
          createdBy: p.tokenId,
        });
        writeAudit(db, { actor: p.name, teamId: team?.id ?? null, action: 'token.created', targetType: 'token', targetId: created.row.id, details: { name: body.name, role: body.role } });
        return created;
      });
      return c.json({ ...tokenView(db, row), token: secret }, 201);
    },
  );

  app.openapi(
    createRoute({ method: 'get', path: '/tokens', summary: 'List tokens (admin: all; others: their own)', responses: { 200: ok(z.object({ tokens: z.array(TokenViewSchema) })), ...ErrorResponses } }),
    (c) => {
      const p = c.get('principal');
      const rows = listTokens(db).filter((t) => p.role === 'admin' || t.id === p.tokenId);
      return c.json({ tokens: rows.map((t) => tokenView(db, t)) }, 200);
    },
  );

  app.openapi(
    createRoute({ method: 'delete', path: '/tokens/{id}', summary: 'Revoke a token (admin, or the token itself)', request: { params: z.object({ id: z.string().min(1).max(80) }) }, responses: { 200: ok(TokenViewSchema), ...ErrorResponses } }),
    (c) => {
      const p = c.get('principal');
      const { id } = c.req.valid('param');
      const row = findToken(db, id);
      if (!row || (p.role !== 'admin' && row.id !== p.tokenId)) throw new NotFoundError('token', id);
      const revoked = h.tx(() => {
        const r = row.revokedAt === null ? revokeToken(db, id)! : row;
        writeAudit(db, { actor: p.name, teamId: row.teamId, action: 'token.revoked', targetType: 'token', targetId: id, details: { name: row.name } });
        return r;
      });
      return c.json(tokenView(db, revoked), 200);
    },
  );

  // ---- audit ---------------------------------------------------------------------------------
  app.openapi(
    createRoute({
      method: 'get',
      path: '/audit',
      summary: 'Audit log, newest first (admin)',
      request: {
        query: z.strictObject({
          limit: z.coerce.number().int().min(1).max(500).default(100),
          cursor: z.coerce.number().int().min(1).optional(),
          action: z.string().max(100).optional(),
          target: z.string().max(100).optional(),
        }),
      },
      responses: { 200: ok(z.object({ entries: z.array(AuditEntrySchema), nextCursor: z.string().nullable() })), ...ErrorResponses },
    }),
    (c) => {
      const p = c.get('principal');
      if (p.role !== 'admin') throw new ForbiddenError('only admin tokens read the audit log');
      const q = c.req.valid('query');
      const rows = listAudit(db, { before: q.cursor, limit: q.limit + 1, action: q.action, targetId: q.target });
      const page = rows.slice(0, q.limit);
      return c.json({ entries: page.map(auditView), nextCursor: rows.length > q.limit ? String(page.at(-1)!.id) : null }, 200);
    },
  );

  return app;
}
