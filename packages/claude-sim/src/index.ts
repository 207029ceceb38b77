import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the `claude-sim` executable, for agents and tests. */
export const claudeSimBin = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'claude-sim.js');
export { parseScript } from './script.ts';
export type { Directive } from './script.ts';
