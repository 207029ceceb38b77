import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** What the sim remembers of a session between runs: that it exists, and how often it was run. */
export interface SessionState {
  sessionId: string;
  runs: number;
  createdAt: number;
}

export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.CLAUDE_SIM_STATE_DIR || join(homedir(), '.claude-sim');
}

function file(dir: string, sessionId: string): string {
  return join(dir, `${sessionId.replace(/[^A-Za-z0-9-]/g, '_')}.json`);
}

export function loadSession(dir: string, sessionId: string): SessionState | null {
  try {
    return JSON.parse(readFileSync(file(dir, sessionId), 'utf8')) as SessionState;
  } catch {
    return null;
  }
}

/** Atomic write: concurrent runs of other sessions never see a torn file. */
export function saveSession(dir: string, s: SessionState): void {
  mkdirSync(dir, { recursive: true });
  const target = file(dir, s.sessionId);
  const tmp = `${target}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(s));
  renameSync(tmp, target);
}
