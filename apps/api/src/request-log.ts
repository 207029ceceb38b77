import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';

/** The caller's `X-Request-Id` (at most 100 characters), or a new one. */
export function requestIdOf(header: string | undefined): string {
  return header?.slice(0, 100) || randomUUID();
}

/** The request's log line: at debug, or at error for a 5xx; nothing built when the level is off. */
export function logRequest(root: Logger, logger: Logger, req: { method: string; path: string; status: number; started: number }): void {
  const level = req.status >= 500 ? 'error' : 'debug';
  if (!root.isLevelEnabled(level)) return;
  logger[level]({ method: req.method, path: req.path, status: req.status, ms: Math.round(performance.now() - req.started) }, 'request');
}
