export { createAgent } from './agent.ts';
export type { Agent, AgentDeps } from './agent.ts';
export { loadConfig, USAGE } from './config.ts';
export type { AgentConfig } from './config.ts';
export { checkReadiness, AGENT_VERSION } from './readiness.ts';
