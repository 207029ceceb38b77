import { eq, or, sql } from 'drizzle-orm';
import { newId, type WorkspacePatch } from '@switchyard/core';
import type { Db } from './client.ts';
import { prepared } from './prepared.ts';
import { workspaces } from './schema.ts';

export type WorkspaceRow = typeof workspaces.$inferSelect;
export type NewWorkspace = Omit<typeof workspaces.$inferInsert, 'id' | 'createdAt'>;

export function insertWorkspace(db: Db, values: NewWorkspace, now = Date.now()): WorkspaceRow {
  return db
    .insert(workspaces)
    .values({ ...values, id: newId('ws'), createdAt: now })
    .returning()
    .get();
}

/** A workspace by id or name. */
export function findWorkspace(db: Db, ref: string): WorkspaceRow | undefined {
  const stmt = prepared(db, 'findWorkspace', (d) =>
    d
      .select()
      .from(workspaces)
      .where(or(eq(workspaces.id, sql.placeholder('ref')), eq(workspaces.name, sql.placeholder('ref'))))
      .prepare(),
  );
  return stmt.get({ ref });
}

export function listWorkspaces(db: Db, teamId?: string): WorkspaceRow[] {
  const q = db.select().from(workspaces);
  return (teamId ? q.where(eq(workspaces.teamId, teamId)) : q).orderBy(workspaces.name).all();
}

export function updateWorkspace(
  db: Db,
  id: string,
  patch: WorkspacePatch | Partial<WorkspaceRow>,
): WorkspaceRow {
  return db.update(workspaces).set(patch).where(eq(workspaces.id, id)).returning().get()!;
}
