import { eq, sql } from 'drizzle-orm';
import type { Db } from './client.ts';
import { prepared } from './prepared.ts';
import { teams } from './schema.ts';
import { findWorkspaceSettings } from './workspaces.ts';

// Every task view names its workspace and team; reading both rows for it was a tenth of a
// create. Teams are never renamed nor deleted and ids are never reused: a team's name, once read,
// holds for the life of the process (bounded by the teams, not by the tasks). A workspace's comes
// with its settings, kept in memory until an admin changes a workspace.

const teamNames = new WeakMap<Db, Map<string, string>>();

/** The name of workspace `id`, or undefined if there is none. */
export function workspaceName(db: Db, id: string): string | undefined {
  return findWorkspaceSettings(db, id)?.name;
}

/** The name of team `id`, or undefined if there is none. */
export function teamName(db: Db, id: string): string | undefined {
  let names = teamNames.get(db);
  if (!names) teamNames.set(db, (names = new Map()));
  let name = names.get(id);
  if (name === undefined) {
    name = prepared(db, 'teamName', (d) =>
      d.select({ name: teams.name }).from(teams).where(eq(teams.id, sql.placeholder('id'))).prepare(),
    ).get({ id })?.name;
    if (name !== undefined) names.set(id, name);
  }
  return name;
}
