import { NotFoundError, ValidationError } from '@switchyard/core';
import { findTeam, findWorkspaceSettings, listPoolSettings, type Db, type WorkspaceSettings } from '@switchyard/db';
import { assertCanWrite, canSee } from '../auth.ts';
import type { Principal } from '../context.ts';

/** Where a new task runs: one workspace, or (workspaceId null) any pool workspace of the team. */
export interface Placement {
  teamId: string;
  workspaceId: string | null;
  /** The roots its workdir must lie under. */
  roots: string[];
  /** Every workspace it may run in: their ceilings all bound it. */
  workspaces: WorkspaceSettings[];
}

/**
 * Resolves `workspace` / `team` (or the token's default workspace) to a placement the caller
 * may write to. Another team's workspace or team is "not found", as a missing one is.
 */
export function placeTask(db: Db, p: Principal, where: { workspace?: string; team?: string }): Placement {
  if (where.workspace) {
    const ws = findWorkspaceSettings(db, where.workspace);
    if (!ws || !canSee(p, ws.teamId)) throw new NotFoundError('workspace', where.workspace);
    if (where.team) {
      const team = findTeam(db, where.team);
      if (!team || team.id !== ws.teamId) {
        throw new ValidationError(`workspace ${ws.name} is not in team ${where.team}`, { field: 'team' });
      }
    }
    assertCanWrite(p, ws.teamId, 'workspace', where.workspace);
    return { teamId: ws.teamId, workspaceId: ws.id, roots: ws.workdirRoots, workspaces: [ws] };
  }
  if (where.team) {
    const team = findTeam(db, where.team);
    if (!team || !canSee(p, team.id)) throw new NotFoundError('team', where.team);
    assertCanWrite(p, team.id, 'team', where.team);
    const pool = listPoolSettings(db, team.id);
    if (pool.length === 0) {
      throw new ValidationError(`team ${team.name} has no pool workspaces`, { field: 'team' });
    }
    return { teamId: team.id, workspaceId: null, roots: [...new Set(pool.flatMap((w) => w.workdirRoots))], workspaces: pool };
  }
  if (p.defaultWorkspaceId) return placeTask(db, p, { workspace: p.defaultWorkspaceId });
  throw new ValidationError('say where the task runs: "workspace" or "team"', { field: 'workspace' });
}
