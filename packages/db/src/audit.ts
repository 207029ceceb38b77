import { and, desc, eq, lt, type SQL } from 'drizzle-orm';
import type { Db } from './client.ts';
import { insertRow } from './prepared.ts';
import { auditLog } from './schema.ts';

export type AuditRow = typeof auditLog.$inferSelect;
/** One audit row to write: who did what to which object. */
export type AuditEntry = Omit<typeof auditLog.$inferInsert, 'id' | 'ts'>;

export function writeAudit(
  db: Db,
  entry: AuditEntry,
  now = Date.now(),
): void {
  insertRow(db, auditLog, { ...entry, ts: now });
}

export function listAudit(
  db: Db,
  opts: { before?: number; limit: number; action?: string; targetId?: string },
): AuditRow[] {
  const where: SQL[] = [];
  if (opts.before !== undefined) where.push(lt(auditLog.id, opts.before));
  if (opts.action) where.push(eq(auditLog.action, opts.action));
  if (opts.targetId) where.push(eq(auditLog.targetId, opts.targetId));
  return db
    .select()
    .from(auditLog)
    .where(and(...where))
    .orderBy(desc(auditLog.id))
    .limit(opts.limit)
    .all();
}
