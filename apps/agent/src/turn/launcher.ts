import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildClaudeArgs, MAX_OUTPUT_LINE_BYTES, tmuxSessionName, type Lease } from '@switchyard/core';
import type { AgentConfig } from '../config.ts';
import { tmux } from '../tmux.ts';
import { TurnFiles, TurnRecord } from './layout.ts';

/** The runner's entry point: tmux starts `node <RUNNER_BIN> <spec.json>`. */
export const RUNNER_BIN = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'switchyard-runner.js');

export interface LaunchDeps {
  config: Pick<AgentConfig, 'dir' | 'workdirRoots' | 'maxOutputBytes'>;
  tmux?: Pick<typeof tmux, 'has' | 'kill' | 'start'>;
  now?: () => number;
}

/**
 * Starts a turn from a lease: a fresh turn directory, its state, the runner's spec, and the
 * runner in tmux session `sy-<taskId>`. When it cannot start (bad workdir, no claude, tmux
 * failed), the reason goes into exit.json, to be reported as `spawn_failed`.
 */
export async function launchTurn(deps: LaunchDeps, lease: Lease, claudeBin: string | null): Promise<TurnRecord> {
  const { config } = deps;
  const now = deps.now ?? Date.now;
  const mux = deps.tmux ?? tmux;
  const files = new TurnFiles(config.dir, lease.taskId, lease.turn);
  files.prepareFresh(now());
  const record = new TurnRecord(files, {
    lease,
    ackSeq: lease.startSeq - 1,
    launchedAt: now(),
    startedReported: false,
    killReason: null,
    killRequestedAt: null,
    reported: false,
    dropped: false,
    endedAt: null,
  });
  files.writeState(record.state);
  const problem = checkWorkdir(lease.workdir, config.workdirRoots);
  if (problem || !claudeBin) {
    files.recordExit({ exitCode: null, signal: null, spawnError: problem ?? 'no usable claude binary on this agent' }, now());
    return record;
  }
  files.writeSpec({
    claudeBin,
    args: buildClaudeArgs(lease),
    paths: files.paths,
    maxOutputBytes: config.maxOutputBytes,
    maxLineBytes: MAX_OUTPUT_LINE_BYTES,
  });
  const session = tmuxSessionName(lease.taskId);
  // A finished session of an earlier turn of the same task still holds the name.
  if (await mux.has(session)) await mux.kill(session);
  const error = await mux.start(session, lease.workdir, [process.execPath, RUNNER_BIN, files.paths.spec]);
  if (error) files.recordExit({ exitCode: null, signal: null, spawnError: `tmux could not start: ${error}` }, now());
  return record;
}

/** Why `dir` may not be a turn's workdir on this agent, or null when it may. */
export function checkWorkdir(dir: string, roots: string[]): string | null {
  const inside = roots.some((r) => r === '/' || dir === r || dir.startsWith(`${r}/`));
  if (!inside) return `workdir ${dir} is outside this agent's roots (${roots.join(', ')})`;
  try {
    if (!statSync(dir).isDirectory()) return `workdir ${dir} is not a directory`;
  } catch {
    return `workdir ${dir} does not exist on this machine`;
  }
  return null;
}
