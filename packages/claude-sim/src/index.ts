import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the `claude-sim` executable, for agents and other packages' tests. */
export const claudeSimBin = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'bin',
  'claude-sim.js',
);

export { parseArgs, UsageError } from './args.ts';
export type { OutputFormat, SimArgs } from './args.ts';
export { parseScript } from './script.ts';
export type { Directive, Script } from './script.ts';
export { runSim } from './sim.ts';
export type { SimIo } from './sim.ts';
export { SIM_VERSION } from './transcript.ts';
