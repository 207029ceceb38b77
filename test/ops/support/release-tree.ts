import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from '../../support/agent.ts';

export interface ReleaseTree {
  dir: string;
  remove(): void;
}

/**
 * The agent and core packages of release `version`, from test/ops/fixtures/<version>-tree.tar.gz
 * (written from the tag by make-<version>-tree.mjs; a clone need not carry tags), runnable with
 * this checkout's node_modules: the release's own @switchyard packages, everyone else's from here.
 * The same way packages/db/fixtures/make-v0.1.0.mjs runs v0.1.0's code.
 */
export function releaseTree(version: string): ReleaseTree {
  const dir = mkdtempSync(join(tmpdir(), `sy-${version}-`));
  execFileSync('tar', ['-xzf', join(REPO, 'test', 'ops', 'fixtures', `${version}-tree.tar.gz`), '-C', dir]);
  mkdirSync(join(dir, 'node_modules', '@switchyard'), { recursive: true });
  for (const name of readdirSync(join(REPO, 'node_modules'))) {
    if (name !== '@switchyard' && name !== '.bin') symlinkSync(join(REPO, 'node_modules', name), join(dir, 'node_modules', name));
  }
  for (const kind of ['apps', 'packages']) {
    for (const name of readdirSync(join(dir, kind))) symlinkSync(join(dir, kind, name), join(dir, 'node_modules', '@switchyard', name));
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
