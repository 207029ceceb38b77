import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { desc, eq, sql } from 'drizzle-orm';
import { newId } from '@switchyard/core';
import type { Db } from './client.ts';
import { prepared } from './prepared.ts';
import { tokens } from './schema.ts';

export type TokenRow = typeof tokens.$inferSelect;
export type NewToken = Omit<typeof tokens.$inferInsert, 'id' | 'hash' | 'prefix' | 'createdAt'>;

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A fresh secret: kind prefix + 32 random bytes, base64url. */
export function generateToken(kind: 'user' | 'agent'): string {
  return `${kind === 'user' ? 'syu_' : 'sya_'}${randomBytes(32).toString('base64url')}`;
}

/** Stores only the hash of `secret` (generated when not given); returns the row and the secret. */
export function insertToken(
  db: Db,
  values: NewToken,
  secret = generateToken(values.kind),
  now = Date.now(),
): { row: TokenRow; secret: string } {
  const row = db
    .insert(tokens)
    .values({
      ...values,
      id: newId('tok'),
      hash: hashToken(secret),
      prefix: secret.slice(0, 8),
      createdAt: now,
    })
    .returning()
    .get();
  return { row, secret };
}

/**
 * How long a token row found by its secret is served from memory. A revoke or change made
 * through this handle takes effect at once (the API is the only writer of tokens); one made by
 * another process within this long. Longer than an agent's long-poll (20 s), so a fleet's syncs
 * are answered from memory.
 */
export const TOKEN_CACHE_MS = 60_000;
/** The most token rows kept in memory per handle (least recently used go first): a large fleet's agents all fit. */
export const TOKEN_CACHE_MAX = 50_000;

interface Cached {
  row: TokenRow;
  at: number;
}

/** Rows by the hash of their secret, and each cached row's hash by its id. */
interface TokenCache {
  byHash: Map<string, Cached>;
  hashOf: Map<string, string>;
}

const tokenCaches = new WeakMap<Db, TokenCache>();

function cacheOf(db: Db): TokenCache {
  let m = tokenCaches.get(db);
  if (!m) tokenCaches.set(db, (m = { byHash: new Map(), hashOf: new Map() }));
  return m;
}

function uncache(cache: TokenCache, hash: string): void {
  const hit = cache.byHash.get(hash);
  if (!hit) return;
  cache.byHash.delete(hash);
  cache.hashOf.delete(hit.row.id);
}

/** Drops the cached row of token `id`, so the next request reads it from SQLite. */
function forgetToken(db: Db, id: string): void {
  const cache = cacheOf(db);
  const hash = cache.hashOf.get(id);
  if (hash) uncache(cache, hash);
}

/**
 * The token row for a presented secret, or undefined. The lookup is by hash (an index probe, or
 * the memory of one made less than TOKEN_CACHE_MS ago); the final comparison is constant-time so
 * no timing tells how much of a hash matched.
 */
export function findTokenBySecret(db: Db, secret: string, now = Date.now()): TokenRow | undefined {
  const hash = hashToken(secret);
  const cache = cacheOf(db);
  const hit = cache.byHash.get(hash);
  if (hit && now - hit.at < TOKEN_CACHE_MS && now >= hit.at) {
    cache.byHash.delete(hash);
    cache.byHash.set(hash, hit);
    return hit.row;
  }
  uncache(cache, hash);
  const row = lookUp(db, hash);
  if (row) {
    cache.byHash.set(hash, { row, at: now });
    cache.hashOf.set(row.id, hash);
    if (cache.byHash.size > TOKEN_CACHE_MAX) uncache(cache, cache.byHash.keys().next().value!);
  }
  return row;
}

function lookUp(db: Db, hash: string): TokenRow | undefined {
  const stmt = prepared(db, 'findTokenByHash', (d) =>
    d.select().from(tokens).where(eq(tokens.hash, sql.placeholder('hash'))).prepare(),
  );
  const row = stmt.get({ hash });
  if (!row) return undefined;
  const a = Buffer.from(row.hash, 'hex');
  const b = Buffer.from(hash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b) ? row : undefined;
}

export function touchToken(db: Db, id: string, now = Date.now()): void {
  const stmt = prepared(db, 'touchToken', (d) =>
    d
      .update(tokens)
      .set({ lastUsedAt: sql`${sql.placeholder('now')}` })
      .where(eq(tokens.id, sql.placeholder('id')))
      .prepare(),
  );
  stmt.run({ now, id });
  const cache = cacheOf(db);
  const hit = cache.byHash.get(cache.hashOf.get(id) ?? '');
  if (hit) hit.row = { ...hit.row, lastUsedAt: now };
}

export function listTokens(db: Db): TokenRow[] {
  return db.select().from(tokens).orderBy(desc(tokens.createdAt)).all();
}

export function findToken(db: Db, id: string): TokenRow | undefined {
  const stmt = prepared(db, 'findToken', (d) =>
    d.select().from(tokens).where(eq(tokens.id, sql.placeholder('id'))).prepare(),
  );
  return stmt.get({ id });
}

export function revokeToken(db: Db, id: string, now = Date.now()): TokenRow | undefined {
  const row = db.update(tokens).set({ revokedAt: now }).where(eq(tokens.id, id)).returning().get();
  forgetToken(db, id);
  return row;
}

export function setTokenDefaultWorkspace(db: Db, id: string, workspaceId: string | null): void {
  db.update(tokens).set({ defaultWorkspaceId: workspaceId }).where(eq(tokens.id, id)).run();
  forgetToken(db, id);
}
