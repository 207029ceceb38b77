import { posix } from 'node:path';
import { ValidationError } from '@switchyard/core';

/**
 * A task's working directory must be absolute, already normalised (no `..`, `.`, `//`) and lie
 * under one of the workspace's allowed roots.
 */
export function checkWorkdir(workdir: string, roots: string[], field = 'workdir'): string {
  if (!posix.isAbsolute(workdir)) {
    throw new ValidationError(`${field} must be an absolute path`, { field });
  }
  if (/[\u0000-\u001f\u007f-\u009f]/.test(workdir)) {
    throw new ValidationError(`${field} contains control characters`, { field });
  }
  const trimmed = workdir.length > 1 ? workdir.replace(/\/+$/, '') : workdir;
  if (posix.normalize(trimmed) !== trimmed || trimmed.split('/').includes('..')) {
    throw new ValidationError(`${field} must be normalised (no "..", "." or "//")`, { field });
  }
  const inside = roots.some((root) => {
    const r = root.length > 1 ? root.replace(/\/+$/, '') : root;
    return r === '/' || trimmed === r || trimmed.startsWith(`${r}/`);
  });
  if (!inside) {
    throw new ValidationError(`${field} ${trimmed} is outside the workspace's allowed roots`, {
      field,
      allowedRoots: roots,
    });
  }
  return trimmed;
}
