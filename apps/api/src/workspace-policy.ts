import {
  ForbiddenError,
  MEMBER_WORKSPACE_FIELDS,
  SwitchyardError,
  ValidationError,
  type WorkspacePatch,
} from '@switchyard/core';
import type { WorkspaceRow } from '@switchyard/db';
import type { Principal } from './context.ts';
import { checkWorkdir } from './workdir.ts';

/** 403 naming the admin-set fields a member tried to change. */
class AdminFieldsError extends SwitchyardError {
  constructor(fields: string[]) {
    super('forbidden', 403, `only admins may change ${fields.join(', ')}`, { fields, memberFields: [...MEMBER_WORKSPACE_FIELDS] });
  }
}

/**
 * Field-level authorization: admins change anything; a member of the workspace's team only
 * what is theirs (labels, pause); viewers nothing.
 */
export function assertMayPatch(p: Principal, patch: WorkspacePatch): void {
  if (p.role === 'admin') return;
  if (p.role === 'viewer') throw new ForbiddenError('viewer tokens are read-only');
  const member: readonly string[] = MEMBER_WORKSPACE_FIELDS;
  const adminFields = Object.keys(patch).filter((k) => !member.includes(k));
  if (adminFields.length > 0) throw new AdminFieldsError(adminFields);
}

type Ceiling = Pick<WorkspaceRow, 'workdirRoots' | 'permissionModes' | 'defaultPermissionMode' | 'addDirs'>;

/**
 * Normalises roots and extra directories and checks that the result holds together: the
 * default mode is one of the allowed modes, every extra directory lies under a root.
 */
export function checkWorkspaceSettings(current: Ceiling, patch: WorkspacePatch): WorkspacePatch {
  const out = { ...patch };
  if (out.workdirRoots) out.workdirRoots = out.workdirRoots.map((r) => checkWorkdir(r, ['/'], 'workdirRoots'));
  if (out.permissionModes) out.permissionModes = [...new Set(out.permissionModes)];
  const roots = out.workdirRoots ?? current.workdirRoots;
  const modes = out.permissionModes ?? current.permissionModes;
  const defaultMode = out.defaultPermissionMode ?? current.defaultPermissionMode;
  if (!modes.includes(defaultMode)) {
    throw new ValidationError(`defaultPermissionMode ${defaultMode} is not one of permissionModes`, {
      field: 'defaultPermissionMode',
      allowed: modes,
    });
  }
  const dirs = (out.addDirs ?? current.addDirs).map((d) => checkWorkdir(d, roots, 'addDirs'));
  if (out.addDirs) out.addDirs = dirs;
  return out;
}
