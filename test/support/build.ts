import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * vitest's global setup: builds the bundles (API, agent, runner, CLI, claude-sim) when their
 * sources changed, so tests that start real processes run what users run, built from the code
 * under test. A few ms when up to date.
 */
export default function buildBundles(): void {
  execFileSync(process.execPath, [join(REPO, 'scripts', 'build.mjs'), '--quiet'], { stdio: 'inherit' });
}
