import type { MiddlewareHandler } from 'hono';
import { ForbiddenError, NotFoundError, UnauthorizedError } from '@switchyard/core';
import { findTokenBySecret, touchToken, type Db } from '@switchyard/db';
import type { AppEnv, Principal } from './context.ts';

const BEARER = /^Bearer\s+(\S+)\s*$/i;
const TOUCH_EVERY_MS = 60_000;

/** Resolves `Authorization: Bearer …` to a principal of the expected kind, or answers 401. */
export function authenticate(db: Db, kind: 'user' | 'agent'): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const match = BEARER.exec(c.req.header('authorization') ?? '');
    const row = match?.[1] ? findTokenBySecret(db, match[1]) : undefined;
    const now = Date.now();
    if (!row || row.revokedAt !== null || (row.expiresAt !== null && row.expiresAt <= now)) {
      throw new UnauthorizedError();
    }
    if (row.kind !== kind) {
      throw new UnauthorizedError(
        kind === 'agent' ? 'this endpoint takes an agent token (sya_…)' : 'agent tokens cannot call the user API',
      );
    }
    if (row.lastUsedAt === null || now - row.lastUsedAt > TOUCH_EVERY_MS) touchToken(db, row.id, now);
    const principal: Principal = {
      tokenId: row.id,
      name: row.name,
      kind: row.kind,
      role: row.role,
      teamId: row.teamId,
      workspaceId: row.workspaceId,
      defaultWorkspaceId: row.defaultWorkspaceId,
    };
    c.set('principal', principal);
    c.set('logger', c.get('logger').child({ token: row.id }));
    await next();
  };
}

/** Whether the principal may see objects of `teamId`. */
export function canSee(p: Principal, teamId: string): boolean {
  return p.role === 'admin' || (p.teamId !== null && p.teamId === teamId);
}

/** 404 (not 403) for another team's object, so ids of other teams are not confirmed. */
export function assertVisible(p: Principal, teamId: string, what: string, id: string): void {
  if (!canSee(p, teamId)) throw new NotFoundError(what, id);
}

/** Members act on their team's objects, admins on all; viewers only read. */
export function assertCanWrite(p: Principal, teamId: string, what: string, id: string): void {
  assertVisible(p, teamId, what, id);
  if (p.role === 'viewer') throw new ForbiddenError('viewer tokens are read-only');
}

export function assertAdmin(p: Principal): void {
  if (p.role !== 'admin') throw new ForbiddenError('only admin tokens may do that');
}
