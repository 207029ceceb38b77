import {
  ceilingProblem,
  SwitchyardError,
  type ClaudeOptions,
  type PermissionMode,
} from '@switchyard/core';
import type { WorkspaceSettings } from '@switchyard/db';

/** 403 `forbidden`: a task asked for more than its workspace's ceiling allows. */
export class CeilingExceededError extends SwitchyardError {
  constructor(message: string, details: Record<string, unknown>) {
    super('forbidden', 403, message, details);
  }
}

/**
 * Checks a task's options against the ceiling of every workspace it may run in (one, or each
 * of a team's pool) and returns them with the permission mode made explicit: the task's own, or
 * the workspace's default (a pool task keeps none; the leasing workspace's default applies).
 */
export function withinCeiling(workspaces: WorkspaceSettings[], options: ClaudeOptions): ClaudeOptions {
  for (const ws of workspaces) {
    const mode: PermissionMode = options.permissionMode ?? ws.defaultPermissionMode;
    const problem = ceilingProblem(ws, ws.models, options, mode);
    if (problem) {
      const { message, ...details } = problem;
      throw new CeilingExceededError(workspaces.length > 1 ? `${message} (pool workspace ${ws.name})` : message, {
        ...details,
        workspace: ws.name,
      });
    }
  }
  const only = workspaces.length === 1 ? workspaces[0] : undefined;
  return only && !options.permissionMode ? { ...options, permissionMode: only.defaultPermissionMode } : options;
}
