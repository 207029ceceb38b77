import { createRoute, z } from '@hono/zod-openapi';
import { NotFoundError, TokenCreatedSchema, TokenCreateSchema, TokenViewSchema, ValidationError } from '@switchyard/core';
import { findTeam, findToken, findWorkspace, insertToken, listTokens, revokeToken, writeAudit } from '@switchyard/db';
import { assertAdmin } from '../auth.ts';
import type { RouteDeps } from '../context.ts';
import { tokenView } from '../views.ts';
import { ErrorResponses, jsonBody, ok, v1Router } from './openapi.ts';

/** `/v1/tokens` (create is admin; the secret is shown once), and `/v1/me`, the calling token. */
export function tokenRoutes(deps: RouteDeps) {
  const app = v1Router();
  const { db: h } = deps;
  const db = h.db;

  app.openapi(
    createRoute({ method: 'get', path: '/me', summary: 'The calling token', responses: { 200: ok(TokenViewSchema), ...ErrorResponses } }),
    (c) => c.json(tokenView(db, c.get('token')), 200),
  );

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

  return app;
}
