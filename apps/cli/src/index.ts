export { run, resolveCommand } from './run.ts';
export type { Io, Output } from './io.ts';
export { EXIT } from './errors.ts';
