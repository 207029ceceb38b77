import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from '../../support/agent.ts';

export interface TreeAtTag {
  dir: string;
  remove(): void;
}

/**
 * `paths` of the repository as they were at `tag` (`git archive`), runnable with this
 * checkout's node_modules: the tag's own @switchyard packages, everyone else's from here.
 * The same way packages/db/fixtures/make-v0.1.0.mjs runs v0.1.0's code.
 */
export function treeAtTag(tag: string, paths: string[]): TreeAtTag {
  const dir = mkdtempSync(join(tmpdir(), `sy-${tag}-`));
  const archive = execFileSync('git', ['archive', tag, ...paths], { cwd: REPO, maxBuffer: 64 << 20 });
  execFileSync('tar', ['-x', '-C', dir], { input: archive });
  mkdirSync(join(dir, 'node_modules', '@switchyard'), { recursive: true });
  for (const name of readdirSync(join(REPO, 'node_modules'))) {
    if (name !== '@switchyard' && name !== '.bin') symlinkSync(join(REPO, 'node_modules', name), join(dir, 'node_modules', name));
  }
  for (const p of paths) {
    const [kind, name] = p.split('/');
    if ((kind === 'packages' || kind === 'apps') && name) symlinkSync(join(dir, p), join(dir, 'node_modules', '@switchyard', name));
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
