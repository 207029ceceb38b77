import { eq, or, sql } from 'drizzle-orm';
import { newId, type WorkspacePatch } from '@switchyard/core';
import type { Db } from './client.ts';
import { keepable, prepared } from './prepared.ts';
import { workspaces } from './schema.ts';

export type WorkspaceRow = typeof workspaces.$inferSelect;
export type NewWorkspace = Omit<typeof workspaces.$inferInsert, 'id' | 'createdAt'>;

export function insertWorkspace(db: Db, values: NewWorkspace, now = Date.now()): WorkspaceRow {
  changed(db);
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
  if (Object.keys(patch).some((k) => !RUNNING_STATE.has(k))) changed(db);
  return db.update(workspaces).set(patch).where(eq(workspaces.id, id)).returning().get()!;
}

/** What changes while the fleet runs (each grant, each rate limit); the rest only by an admin. */
const RUNNING_STATE = new Set<string>(['rateLimitedUntil', 'backoffLevel', 'lastGrantAt']);

/** A workspace's settings: its row without the running state, which a cached copy would get wrong. */
export type WorkspaceSettings = Omit<WorkspaceRow, 'rateLimitedUntil' | 'backoffLevel' | 'lastGrantAt'>;

/**
 * Bumped by every write of a workspace's settings (insertWorkspace, updateWorkspace): the only
 * writers. Nothing read inside a transaction is kept (see keepable).
 */
const generations = new WeakMap<Db, number>();
const pools = new WeakMap<Db, Map<string, { generation: number; members: WorkspaceSettings[] }>>();
const settings = new WeakMap<Db, { generation: number; byRef: Map<string, WorkspaceSettings> }>();

function changed(db: Db): void {
  generations.set(db, (generations.get(db) ?? 0) + 1);
}

const withoutRunningState = ({ rateLimitedUntil: _r, backoffLevel: _b, lastGrantAt: _g, ...rest }: WorkspaceRow): WorkspaceSettings => rest;

/**
 * A workspace's settings by id or name, from memory until a workspace's settings change: where
 * a create places its task. Bounded by the fleet (two entries per workspace).
 */
export function findWorkspaceSettings(db: Db, ref: string): WorkspaceSettings | undefined {
  const generation = generations.get(db) ?? 0;
  let cache = settings.get(db);
  if (cache?.generation !== generation) settings.set(db, (cache = { generation, byRef: new Map() }));
  let ws = cache.byRef.get(ref);
  if (!ws) {
    const row = findWorkspace(db, ref);
    if (!row) return undefined;
    ws = withoutRunningState(row);
    if (keepable(db)) cache.byRef.set(ws.id, ws).set(ws.name, ws);
  }
  return ws;
}

/**
 * The settings of a team's pool workspaces, from memory until a workspace's settings change. A
 * pool task is checked against every one of them: read from SQLite for each create, a pool of
 * 2,000 cost a few milliseconds per create.
 */
export function listPoolSettings(db: Db, teamId: string): WorkspaceSettings[] {
  const generation = generations.get(db) ?? 0;
  let byTeam = pools.get(db);
  if (!byTeam) pools.set(db, (byTeam = new Map()));
  const hit = byTeam.get(teamId);
  if (hit?.generation === generation) return hit.members;
  const members = listWorkspaces(db, teamId)
    .filter((w) => w.pool)
    .map(withoutRunningState);
  if (keepable(db)) byTeam.set(teamId, { generation, members });
  return members;
}
