import { realpathSync, statSync } from 'node:fs';

/**
 * Where a turn may run: the workdir's real path (symlinks resolved) under the real path of one
 * of the agent's roots. Roots are checked as paths, never as text of the request: a link inside
 * a root that points outside it is refused.
 */
export function resolveWorkdir(dir: string, roots: string[]): { real: string } | { problem: string } {
  if (!dir.startsWith('/')) return { problem: `workdir ${JSON.stringify(dir)} is not an absolute path` };
  let real: string;
  try {
    real = realpathSync(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { problem: code === 'ENOENT' ? `workdir ${dir} does not exist on this machine` : `workdir ${dir} cannot be resolved (${code ?? (err as Error).message})` };
  }
  const realRoots = roots.map((r) => {
    try {
      return realpathSync(r);
    } catch {
      return null;
    }
  });
  const inside = realRoots.some((r) => r !== null && (r === '/' || real === r || real.startsWith(`${r}/`)));
  if (!inside) {
    const where = real === dir ? `workdir ${dir} is` : `workdir ${dir} resolves to ${real}`;
    return { problem: `${where} outside the roots of this agent (${roots.join(', ')})` };
  }
  try {
    if (!statSync(real).isDirectory()) return { problem: `workdir ${dir} is not a directory` };
  } catch (err) {
    return { problem: `workdir ${dir} cannot be read (${(err as NodeJS.ErrnoException).code})` };
  }
  return { real };
}
