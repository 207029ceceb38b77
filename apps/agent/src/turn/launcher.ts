import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildClaudeArgs, MAX_OUTPUT_LINE_BYTES, tmuxSessionName, type Lease } from '@switchyard/core';
import { wireApprovals } from '../approval/mcp-config.ts';
import type { AgentConfig } from '../config.ts';
import type { Tmux } from '../tmux.ts';
import { claudeEnv } from './claude-env.ts';
import { launchState, TurnFiles, TurnRecord } from './layout.ts';
import { leaseProblem } from './lease-check.ts';
import type { Spares } from './spare.ts';
import { resolveWorkdir } from './workdir.ts';

/** The runner's entry point: tmux starts `node <RUNNER_BIN> <spec.json>`. */
export const RUNNER_BIN = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'switchyard-runner.js');

export interface LaunchDeps {
  config: Pick<AgentConfig, 'dir' | 'workdirRoots' | 'maxOutputBytes' | 'token'> & { tokenFile?: string | null };
  tmux: Pick<Tmux, 'has' | 'kill' | 'start'>;
  now?: () => number;
  /** The agent's environment, from which claude's is allow-listed. */
  env?: NodeJS.ProcessEnv;
  /** A runner already started and waiting, when there is one. */
  spare?: Pick<Spares, 'take'>;
}

/**
 * Starts a turn from a lease: a fresh turn directory, its state, the runner's spec, and the
 * runner in tmux session `sy-<taskId>`, started in the agent's own dir (the runner enters the
 * workdir itself). When it may not or cannot start (a value that is not what it may be, a
 * workdir outside the roots, no claude, tmux failed, or `refusal`: the lease did not parse), the
 * reason goes into exit.json, to be reported as `spawn_failed`.
 */
export async function launchTurn(deps: LaunchDeps, lease: Lease, claudeBin: string | null, refusal: string | null = null): Promise<TurnRecord> {
  const { config } = deps;
  const now = deps.now ?? Date.now;
  const files = new TurnFiles(config.dir, lease.taskId, lease.turn);
  files.prepareFresh(now());
  const record = new TurnRecord(files, launchState(lease, now()));
  files.writeState(record.state);
  const where = resolveWorkdir(String(lease.workdir), config.workdirRoots);
  const problem = refusal ?? leaseProblem(lease, config.workdirRoots) ?? ('problem' in where ? where.problem : null);
  if (problem || !claudeBin) {
    files.recordExit({ exitCode: null, signal: null, spawnError: problem ?? 'no usable claude binary on this agent' }, now());
    return record;
  }
  const env = deps.env ?? process.env;
  // Only where the task's permission mode may ask does the lease carry approvals.
  const approvals = lease.approvals
    ? wireApprovals(files.paths.mcpConfig, { agentDir: config.dir, taskId: lease.taskId, turn: lease.turn, timeoutSec: lease.approvals.timeoutSec })
    : undefined;
  files.writeSpec({
    claudeBin,
    args: buildClaudeArgs(lease, approvals),
    paths: files.paths,
    maxOutputBytes: config.maxOutputBytes,
    maxLineBytes: MAX_OUTPUT_LINE_BYTES,
    workdir: lease.workdir,
    roots: config.workdirRoots,
    env: claudeEnv(env, [config.token, config.tokenFile ?? '', env.SWITCHYARD_AGENT_TOKEN_FILE ?? '']),
  });
  const session = tmuxSessionName(lease.taskId);
  // A runner already waiting takes the turn: no tmux session and no Node start in the way.
  if (await deps.spare?.take(session, files.paths.spec)) return record;
  // A finished session of an earlier turn of the same task still holds the name.
  if (await deps.tmux.has(session)) await deps.tmux.kill(session);
  const error = await deps.tmux.start(session, config.dir, [process.execPath, RUNNER_BIN, files.paths.spec]);
  if (error) {
    // No runner will read the spec and empty it: it holds claude's credentials, so it goes now.
    files.removeSpec();
    files.recordExit({ exitCode: null, signal: null, spawnError: `tmux could not start: ${error}` }, now());
  }
  return record;
}
