// The package's one public face (package.json `exports`); `main.ts` is the process entry.
export { createApp } from './app.ts';
export type { AppDeps, Principal } from './context.ts';
export { loadConfig, ConfigSchema } from './config.ts';
export type { Config } from './config.ts';
export { startServer } from './server.ts';
export type { ApiServer } from './server.ts';
export { TaskService } from './tasks/service.ts';
export type { TaskServiceDeps, Created, CreateOptions } from './tasks/service.ts';
