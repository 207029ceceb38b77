import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDb, type DbHandle } from './client.ts';
import { useTempDb } from './test-support.ts';
import { findTokenBySecret, insertToken, revokeToken, TOKEN_CACHE_MS } from './tokens.ts';

const ctx = useTempDb();
/** Another process's handle on the same file. */
let other: DbHandle;

beforeEach(() => {
  other = createDb(join(ctx.dir, 'test.db'));
});
afterEach(() => {
  other.close();
});

const T0 = 1_900_000_000_000;

describe('findTokenBySecret', () => {
  it('serves a token it found from memory for a few seconds, and only the right secret', () => {
    const { row, secret } = insertToken(ctx.h.db, { kind: 'user', name: 'ann', role: 'admin' });
    expect(findTokenBySecret(ctx.h.db, secret, T0)?.id).toBe(row.id);
    // Renamed by another process: this one answers from memory until the entry is old.
    other.sqlite.prepare("update tokens set name = 'bob' where id = ?").run(row.id);
    expect(findTokenBySecret(ctx.h.db, secret, T0 + TOKEN_CACHE_MS - 1)?.name).toBe('ann');
    expect(findTokenBySecret(ctx.h.db, secret, T0 + TOKEN_CACHE_MS)?.name).toBe('bob');
    expect(findTokenBySecret(ctx.h.db, `${secret}x`, T0 + TOKEN_CACHE_MS)).toBeUndefined();
  });

  it('sees a revoke through the same handle at once', () => {
    const { row, secret } = insertToken(ctx.h.db, { kind: 'user', name: 'ann', role: 'admin' });
    expect(findTokenBySecret(ctx.h.db, secret, T0)?.revokedAt).toBeNull();
    revokeToken(ctx.h.db, row.id, T0 + 1);
    expect(findTokenBySecret(ctx.h.db, secret, T0 + 2)?.revokedAt).toBe(T0 + 1);
  });

  it('sees a revoke by another process once the entry is old', () => {
    const { row, secret } = insertToken(ctx.h.db, { kind: 'user', name: 'ann', role: 'admin' });
    findTokenBySecret(ctx.h.db, secret, T0);
    revokeToken(other.db, row.id, T0 + 1);
    expect(findTokenBySecret(ctx.h.db, secret, T0 + TOKEN_CACHE_MS)?.revokedAt).toBe(T0 + 1);
  });
});
