import { posix } from 'node:path';
import { ValidationError } from '@switchyard/core';

/**
 * A task's working directory must be absolute, already normalised (no `..`, `.`, `//`) and lie
 * under one of the workspace's allowed roots.
 */
export function checkWorkdir(workdir: string, roots: string[]): string {
  if (!posix.isAbsolute(workdir)) {
    throw new ValidationError('workdir must be an absolute path', { field: 'workdir' });
  }
  if (workdir.includes('\0') || /[\r\n]/.test(workdir)) {
    throw new ValidationError('workdir contains control characters', { field: 'workdir' });
  }
  const trimmed = workdir.length > 1 ? workdir.replace(/\/+$/, '') : workdir;
  if (posix.normalize(trimmed) !== trimmed || trimmed.split('/').includes('..')) {
    throw new ValidationError('workdir must be normalised (no "..", "." or "//")', { field: 'workdir' });
  }
  const inside = roots.some((root) => {
    const r = root.length > 1 ? root.replace(/\/+$/, '') : root;
    return r === '/' || trimmed === r || trimmed.startsWith(`${r}/`);
  });
  if (!inside) {
    throw new ValidationError(`workdir ${trimmed} is outside the workspace's allowed roots`, {
      field: 'workdir',
      allowedRoots: roots,
    });
  }
  return trimmed;
}
