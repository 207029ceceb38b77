import type { Db } from './client.ts';
import { findTeam } from './teams.ts';
import { findWorkspaceSettings } from './workspaces.ts';

// Every task view names its workspace and team; reading both rows for it was a tenth of a
// create. Both come from rows kept in memory until an admin changes them.

/** The name of workspace `id`, or undefined if there is none. */
export function workspaceName(db: Db, id: string): string | undefined {
  return findWorkspaceSettings(db, id)?.name;
}

/** The name of team `id`, or undefined if there is none. */
export function teamName(db: Db, id: string): string | undefined {
  return findTeam(db, id)?.name;
}
