import { existsSync, statSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AGENT_PROTOCOL_VERSION, type AgentRegister } from '@switchyard/core';
import type { AgentConfig } from './config.ts';
import { run } from './exec.ts';
import { claudeEnv } from './turn/claude-env.ts';
import { tmuxSocketPath, tmuxVersion as versionOfTmux } from './tmux.ts';

export const AGENT_VERSION = '0.1.0';

/**
 * claude-sim's executable when @switchyard/claude-sim is installed beside the agent (an optional
 * dependency: the monorepo and its image have it, a bare agent install need not). The agent
 * never imports it; it only runs it, like claude itself.
 */
export function installedSim(): string | null {
  try {
    return fileURLToPath(import.meta.resolve('@switchyard/claude-sim/bin'));
  } catch {
    return null;
  }
}

export function which(name: string, path = process.env.PATH ?? ''): string | null {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

export interface Readiness {
  claudeBin: string | null;
  report: AgentRegister;
  /** When it was checked (Date.now()). */
  checkedAt: number;
}

/** How often the agent asks whether its readiness is due a check (readinessDue). */
export const READINESS_LOOK_MS = 10_000;
const READY_RECHECK_MS = 60_000;

/**
 * Whether to check readiness again: at each look while not ready, so a probe that failed once (a
 * `claude --version` slowed past its timeout by a busy node) costs seconds rather than a minute
 * without work; once ready, a minute after the last check.
 */
export function readinessDue(r: Readiness | null, now = Date.now()): boolean {
  return !r || r.report.problems.length > 0 || now - r.checkedAt >= READY_RECHECK_MS;
}

/**
 * A guess at a login for CLIs without `claude auth status`: an API key, an OAuth token, or a
 * credentials file. Wrong both ways (an empty file passes; Bedrock, Vertex and
 * ANTHROPIC_AUTH_TOKEN fail), so it is only the fallback.
 */
export function loggedIn(env: NodeJS.ProcessEnv = process.env, home = homedir()): boolean {
  return Boolean(env.ANTHROPIC_API_KEY || env.CLAUDE_CODE_OAUTH_TOKEN || existsSync(join(home, '.claude', '.credentials.json')));
}

/**
 * Asks claude itself, in the environment it will run with: `claude auth status` prints JSON
 * and exits 1 when logged out. Null when this CLI has no such command (then the fallback).
 */
export async function authProblem(bin: string, env: NodeJS.ProcessEnv): Promise<string | null | undefined> {
  const r = await run(bin, ['auth', 'status'], 20_000, env);
  let status: { loggedIn?: unknown; authMethod?: unknown; apiProvider?: unknown };
  try {
    status = JSON.parse(r.stdout) as typeof status;
  } catch {
    return undefined;
  }
  if (typeof status.loggedIn !== 'boolean') return undefined;
  if (status.loggedIn) return null;
  return `claude is not logged in (claude auth status: authMethod ${String(status.authMethod)}, provider ${String(status.apiProvider)}); log in with \`claude auth login\` or set ANTHROPIC_API_KEY`;
}

async function versionOf(bin: string): Promise<string | null> {
  const r = await run(bin, ['--version']);
  return r.code === 0 ? r.stdout.trim().split('\n')[0]!.slice(0, 200) : null;
}

/**
 * What this pod can do: the claude binary and version, tmux, slots, roots, and every problem
 * that should keep work away. With sim fallback, a missing or logged-out claude becomes
 * claude-sim, reported as simulated.
 */
export async function checkReadiness(config: AgentConfig, env: NodeJS.ProcessEnv = process.env): Promise<Readiness> {
  const problems: string[] = [];
  let claudeBin = config.claudeBin ?? which('claude', env.PATH);
  let claudeVersion = claudeBin ? await versionOf(claudeBin) : null;
  let simulated = claudeVersion?.includes('sim') ?? false;
  let claudeProblem: string | null = null;
  if (!claudeBin || !claudeVersion) {
    claudeProblem = claudeBin ? `claude at ${claudeBin} does not run (claude --version failed)` : 'no claude on PATH';
  } else if (!simulated) {
    const problem = await authProblem(claudeBin, claudeEnv(env, [config.token]));
    if (problem) claudeProblem = problem;
    else if (problem === undefined && !loggedIn(env)) {
      claudeProblem = 'claude is not logged in (no ANTHROPIC_API_KEY, CLAUDE_CODE_OAUTH_TOKEN or ~/.claude/.credentials.json)';
    }
  }
  if (claudeProblem && config.simFallback) {
    const installed = installedSim();
    const sim = installed && existsSync(installed) ? installed : which('claude-sim', env.PATH);
    claudeVersion = sim ? await versionOf(sim) : null;
    if (sim && claudeVersion) {
      claudeBin = sim;
      simulated = true;
      claudeProblem = null;
    }
  }
  if (claudeProblem) problems.push(claudeProblem);
  const tmuxBin = which('tmux', env.PATH);
  const tmuxVersion = tmuxBin ? await versionOfTmux(tmuxBin) : null;
  if (!tmuxVersion) problems.push('no tmux on PATH');
  const tmuxSocket = tmuxSocketPath(config.dir);
  // A Unix socket path has room for 107 bytes.
  if (Buffer.byteLength(tmuxSocket) > 100) problems.push(`the agent dir is too deep for its tmux socket (${tmuxSocket}); set a shorter SWITCHYARD_AGENT_DIR`);
  for (const root of config.workdirRoots) {
    if (!existsSync(root) || !statSync(root).isDirectory()) problems.push(`workdir root ${root} does not exist`);
  }
  return {
    claudeBin: claudeProblem ? null : claudeBin,
    checkedAt: Date.now(),
    report: {
      hostname: hostname(),
      agentVersion: AGENT_VERSION,
      protocolVersion: AGENT_PROTOCOL_VERSION,
      claudeVersion,
      tmuxVersion,
      slots: config.slots,
      workdirRoots: config.workdirRoots,
      problems,
      simulated,
      tmuxSocket,
    },
  };
}
