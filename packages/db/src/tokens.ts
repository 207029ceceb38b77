import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { desc, eq } from 'drizzle-orm';
import { newId } from '@switchyard/core';
import type { Db } from './client.ts';
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
 * The token row for a presented secret, or undefined. The lookup is by hash (an index probe);
 * the final comparison is constant-time so no timing tells how much of a hash matched.
 */
export function findTokenBySecret(db: Db, secret: string): TokenRow | undefined {
  const hash = hashToken(secret);
  const row = db.select().from(tokens).where(eq(tokens.hash, hash)).get();
  if (!row) return undefined;
  const a = Buffer.from(row.hash, 'hex');
  const b = Buffer.from(hash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b) ? row : undefined;
}

export function touchToken(db: Db, id: string, now = Date.now()): void {
  db.update(tokens).set({ lastUsedAt: now }).where(eq(tokens.id, id)).run();
}

export function listTokens(db: Db): TokenRow[] {
  return db.select().from(tokens).orderBy(desc(tokens.createdAt)).all();
}

export function findToken(db: Db, id: string): TokenRow | undefined {
  return db.select().from(tokens).where(eq(tokens.id, id)).get();
}

export function revokeToken(db: Db, id: string, now = Date.now()): TokenRow | undefined {
  return db.update(tokens).set({ revokedAt: now }).where(eq(tokens.id, id)).returning().get();
}

export function setTokenDefaultWorkspace(db: Db, id: string, workspaceId: string | null): void {
  db.update(tokens).set({ defaultWorkspaceId: workspaceId }).where(eq(tokens.id, id)).run();
}
