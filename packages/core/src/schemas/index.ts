// Every wire shape, by area. Declarative tables: one file per area of the API.
export * from './options.ts';
export * from './tasks.ts';
export * from './agent-protocol.ts';
export * from './fleet.ts';
export * from './dashboard.ts';
export * from './approvals.ts';
