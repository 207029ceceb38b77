import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../context.ts';

/** `/api/claude/*`: the per-pod Claude Task API, kept working unchanged against Switchyard. */
export function seedRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  void deps;
  return app;
}
