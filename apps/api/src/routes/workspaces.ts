import { createRoute, z } from '@hono/zod-openapi';
import {
  ConflictError,
  DEFAULT_PERMISSION_MODES,
  NotFoundError,
  type WorkspacePatch,
  TokenCreatedSchema,
  WorkspaceCreateSchema,
  WorkspacePatchSchema,
  WorkspaceViewSchema,
} from '@switchyard/core';
import { findTeam, findWorkspace, insertToken, insertWorkspace, listWorkspaces, updateWorkspace, writeAudit, type WorkspaceRow } from '@switchyard/db';
import { assertAdmin, assertVisible, canSee } from '../auth.ts';
import type { Principal, RouteDeps } from '../context.ts';
import { tokenView, workspaceView } from '../views.ts';
import { assertMayPatch, checkWorkspaceSettings } from '../workspace-policy.ts';
import { ErrorResponses, jsonBody, ok, RefParam, v1Router } from './openapi.ts';

/** Roots a new workspace allows when none are given: the usual homes of workspace pods. */
export const DEFAULT_WORKDIR_ROOTS = ['/home', '/tmp', '/workspace'];

/** What a new workspace's ceiling is checked against before its own fields are applied. */
const NEW_WORKSPACE = {
  workdirRoots: DEFAULT_WORKDIR_ROOTS,
  permissionModes: [...DEFAULT_PERMISSION_MODES],
  defaultPermissionMode: 'default' as const,
  addDirs: [],
};

/** A patch as the audit log keeps it: admin documents (they may hold credentials) by name only. */
const auditable = (patch: WorkspacePatch): Record<string, unknown> => {
  const out: Record<string, unknown> = { ...patch };
  for (const k of ['mcpConfig', 'settings', 'systemPrompt'] as const) if (k in patch) out[k] = '(changed)';
  return out;
};

/** `/v1/workspaces`: list, get, create (admin), patch limits, issue an agent token (admin). */
export function workspaceRoutes(deps: RouteDeps) {
  const app = v1Router();
  const { db: h, scheduler } = deps;
  const db = h.db;

  /** A workspace the principal may see, or 404. */
  const visible = (p: Principal, ref: string): WorkspaceRow => {
    const ws = findWorkspace(db, ref);
    if (!ws || !canSee(p, ws.teamId)) throw new NotFoundError('workspace', ref);
    return ws;
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/workspaces',
      summary: 'List workspaces with readiness, agent and load',
      responses: { 200: ok(z.object({ workspaces: z.array(WorkspaceViewSchema) }), 'Workspaces'), ...ErrorResponses },
    }),
    (c) => {
      const p = c.get('principal');
      const rows = listWorkspaces(db).filter((w) => canSee(p, w.teamId));
      return c.json({ workspaces: rows.map((w) => workspaceView(db, scheduler, w, c.get('principal'))) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/workspaces/{ref}',
      summary: 'Get a workspace by name or id',
      request: { params: RefParam },
      responses: { 200: ok(WorkspaceViewSchema, 'The workspace'), ...ErrorResponses },
    }),
    (c) => c.json(workspaceView(db, scheduler, visible(c.get('principal'), c.req.valid('param').ref), c.get('principal')), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/workspaces',
      summary: 'Create a workspace (admin)',
      request: { body: jsonBody(WorkspaceCreateSchema) },
      responses: { 201: ok(WorkspaceViewSchema, 'Created'), ...ErrorResponses },
    }),
    (c) => {
      const p = c.get('principal');
      assertAdmin(p);
      const body = c.req.valid('json');
      const team = findTeam(db, body.team);
      if (!team) throw new NotFoundError('team', body.team);
      if (findWorkspace(db, body.name)) throw new ConflictError(`workspace ${body.name} exists`);
      const { name, team: _t, ...rest } = body;
      const settings = checkWorkspaceSettings(NEW_WORKSPACE, { ...rest, workdirRoots: body.workdirRoots ?? DEFAULT_WORKDIR_ROOTS });
      const ws = h.tx(() => {
        const w = insertWorkspace(db, { ...settings, name, teamId: team.id, workdirRoots: settings.workdirRoots! });
        writeAudit(db, { actor: p.name, teamId: team.id, action: 'workspace.created', targetType: 'workspace', targetId: w.id, details: { name: w.name, team: team.name } });
        return w;
      });
      return c.json(workspaceView(db, scheduler, ws), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/workspaces/{ref}',
      summary: 'Change a workspace; takes effect at once',
      description: 'Admins change any field. A member of the team may change only `labels` and `paused`; any other field answers 403 naming it.',
      request: { params: RefParam, body: jsonBody(WorkspacePatchSchema) },
      responses: { 200: ok(WorkspaceViewSchema), ...ErrorResponses },
    }),
    async (c) => {
      const p = c.get('principal');
      const { ref } = c.req.valid('param');
      const patch = c.req.valid('json');
      const ws = visible(p, ref);
      assertVisible(p, ws.teamId, 'workspace', ref);
      assertMayPatch(p, patch);
      const checked = checkWorkspaceSettings(ws, patch);
      const row = h.tx(() => {
        const r = updateWorkspace(db, ws.id, checked);
        writeAudit(db, { actor: p.name, teamId: ws.teamId, action: 'workspace.updated', targetType: 'workspace', targetId: ws.id, details: auditable(checked) });
        return r;
      });
      await scheduler.workspaceChanged(row);
      return c.json(workspaceView(db, scheduler, row, p), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/workspaces/{ref}/agent-token',
      summary: 'Issue an agent token for a workspace (admin); the secret is shown once',
      request: { params: RefParam },
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

  return app;
}
