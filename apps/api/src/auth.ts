import type { BlockList } from 'node:net';
import type { MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import { ForbiddenError, NotFoundError, UnauthorizedError } from '@switchyard/core';
import { findTokenBySecret, touchToken, type Db, type TokenRow } from '@switchyard/db';
import type { AppEnv, Principal } from './context.ts';
import type { AuthThrottle } from './limits/auth-throttle.ts';
import { clientAddress } from './limits/client-address.ts';
import { lazyChild } from './lazy-logger.ts';

/** What guards authentication: the per-address throttle and who may speak for a client. */
export interface AuthGuard {
  throttle: AuthThrottle;
  trustedProxies: BlockList | null;
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;
const TOUCH_EVERY_MS = 60_000;

/** A request presenting a token, as authentication sees it. */
export interface Presented {
  authorization: string | undefined;
  /** The client address failures are counted under. */
  addr: string;
  method: string;
  path: string;
  logger: Logger;
}

/** Notes a presented token that did not authenticate: logged (never the token), counted per address. */
function failed(p: Presented, guard: AuthGuard | undefined, reason: string): UnauthorizedError {
  guard?.throttle.fail(p.addr);
  p.logger.warn({ client: p.addr, method: p.method, path: p.path, reason }, 'authentication failed');
  return new UnauthorizedError();
}

/**
 * Resolves `Authorization: Bearer …` to a principal of the expected kind, or throws 401. A
 * client address with too many failed attempts gets 429 for every attempt until it cools down;
 * a request with no token at all is not an attempt.
 */
export function authenticated(db: Db, kind: 'user' | 'agent', guard: AuthGuard | undefined, p: Presented): { principal: Principal; token: TokenRow } {
  const header = p.authorization;
  if (header !== undefined) guard?.throttle.check(p.addr);
  const match = BEARER.exec(header ?? '');
  const row = match?.[1] ? findTokenBySecret(db, match[1]) : undefined;
  const now = Date.now();
  if (!row || row.revokedAt !== null || (row.expiresAt !== null && row.expiresAt <= now)) {
    if (header === undefined) throw new UnauthorizedError();
    throw failed(p, guard, !row ? 'unknown token' : row.revokedAt !== null ? 'revoked token' : 'expired token');
  }
  if (row.kind !== kind) {
    throw new UnauthorizedError(
      kind === 'agent' ? 'this endpoint takes an agent token (sya_…)' : 'agent tokens cannot call the user API',
    );
  }
  const touched = row.lastUsedAt === null || now - row.lastUsedAt > TOUCH_EVERY_MS;
  if (touched) touchToken(db, row.id, now);
  const principal: Principal = {
    tokenId: row.id,
    name: row.name,
    kind: row.kind,
    role: row.role,
    teamId: row.teamId,
    workspaceId: row.workspaceId,
    defaultWorkspaceId: row.defaultWorkspaceId,
  };
  return { principal, token: touched ? { ...row, lastUsedAt: now } : row };
}

/** `authenticated` as Hono middleware: sets `principal`, `token`, and a logger naming the token. */
export function authenticate(db: Db, kind: 'user' | 'agent', guard?: AuthGuard): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const addr = guard ? clientAddress(c, guard.trustedProxies) : 'unknown';
    const presented = { authorization: c.req.header('authorization'), addr, method: c.req.method, path: c.req.path, logger: c.get('logger') };
    const { principal, token } = authenticated(db, kind, guard, presented);
    c.set('principal', principal);
    c.set('token', token);
    const parent = c.get('logger');
    c.set('logger', lazyChild(() => parent, { token: token.id }));
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
