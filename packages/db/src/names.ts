import { eq, sql } from 'drizzle-orm';
import type { Db } from './client.ts';
import { prepared } from './prepared.ts';
import { teams, workspaces } from './schema.ts';

// Workspaces and teams are never renamed nor deleted, and ids are never reused: a name, once
// read, holds for the life of the process. Every task view names its workspace and team; reading
// both rows for it was a tenth of a create. Bounded by the fleet, not by the tasks.

const caches = new WeakMap<Db, Map<string, string>>();

function cached(db: Db, id: string, read: () => string | undefined): string | undefined {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  let name = cache.get(id);
  if (name === undefined) {
    name = read();
    if (name !== undefined) cache.set(id, name);
  }
  return name;
}

/** The name of workspace `id`, or undefined if there is none. */
export function workspaceName(db: Db, id: string): string | undefined {
  return cached(db, id, () =>
    prepared(db, 'workspaceName', (d) =>
      d.select({ name: workspaces.name }).from(workspaces).where(eq(workspaces.id, sql.placeholder('id'))).prepare(),
    ).get({ id })?.name,
  );
}

/** The name of team `id`, or undefined if there is none. */
export function teamName(db: Db, id: string): string | undefined {
  return cached(db, id, () =>
    prepared(db, 'teamName', (d) =>
      d.select({ name: teams.name }).from(teams).where(eq(teams.id, sql.placeholder('id'))).prepare(),
    ).get({ id })?.name,
  );
}
