export { Turn } from './turn.ts';
export type { TurnDeps } from './turn.ts';
export { AgentFiles } from './layout.ts';
export type { TurnState } from './layout.ts';
export { Spares } from './spare.ts';
export { RUNNER_BIN } from './launcher.ts';
