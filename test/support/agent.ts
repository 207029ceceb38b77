import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLAUDE_SIM = join(REPO, 'packages', 'claude-sim', 'bin', 'claude-sim.js');

/** A Switchyard service (API or agent) running as its own process. */
export interface ServiceProcess {
  proc: ChildProcess;
  /** Everything it printed, for assertions and post-mortems. */
  output(): string;
  /** SIGTERM and wait: its graceful shutdown. */
  stop(): Promise<void>;
  /** SIGKILL: it dies mid-work, as a crash or an OOM kill would. */
  crash(): Promise<void>;
}

/**
 * `node <bundle>` from the repo (e.g. `apps/api/dist/main.js`, which vitest's global setup
 * builds), as `npm start` and the images run it, with `env` on top of ours.
 */
export function spawnService(bundle: string, env: Record<string, string>, nodeArgs: string[] = []): ServiceProcess {
  const proc = spawn(process.execPath, ['--enable-source-maps', ...nodeArgs, join(REPO, bundle)], {
    cwd: REPO,
    env: { ...process.env, SWITCHYARD_LOG_LEVEL: process.env.SWITCHYARD_TEST_LOG ?? 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const signal = async (sig: NodeJS.Signals): Promise<void> => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill(sig);
      await exited;
    }
  };
  return { proc, output: () => out, stop: () => signal('SIGTERM'), crash: () => signal('SIGKILL') };
}

export interface TestAgent extends ServiceProcess {
  dir: string;
}

/**
 * The real agent daemon as a subprocess (`node apps/agent/dist/main.js`), running
 * claude-sim in real tmux. Reuse `dir` to restart an agent on the same state.
 */
export function startAgent(opts: {
  url: string;
  tokenFile: string;
  dir?: string;
  slots?: number;
  roots?: string[];
  env?: Record<string, string>;
}): TestAgent {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'sy-agent-'));
  const service = spawnService('apps/agent/dist/main.js', {
    SWITCHYARD_URL: opts.url,
    SWITCHYARD_AGENT_TOKEN_FILE: opts.tokenFile,
    SWITCHYARD_AGENT_DIR: dir,
    SWITCHYARD_AGENT_SLOTS: String(opts.slots ?? 2),
    SWITCHYARD_WORKDIR_ROOTS: (opts.roots ?? ['/tmp', tmpdir()]).join(':'),
    SWITCHYARD_CLAUDE_BIN: CLAUDE_SIM,
    CLAUDE_SIM_STATE_DIR: join(dir, 'claude-sim-state'),
    ...opts.env,
  });
  return { ...service, dir };
}

/** The tmux sessions on an agent's private server (`<dir>/tmux.sock`); [] when it runs none. */
export function agentTmuxSessions(dir: string): string[] {
  try {
    return execFileSync('tmux', ['-S', join(dir, 'tmux.sock'), 'list-sessions', '-F', '#{session_name}'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

/** Removes an agent's state dir and its private tmux server, with any sessions of its tasks. */
export function cleanupAgentDir(dir: string): void {
  try {
    execFileSync('tmux', ['-S', join(dir, 'tmux.sock'), 'kill-server'], { stdio: 'ignore' });
  } catch {
    // no server left
  }
  rmSync(dir, { recursive: true, force: true });
}

/** Polls `fn` until it returns a truthy value or `ms` pass; the last error or value explains a timeout. */
export async function waitFor<T>(fn: () => Promise<T> | T, ms = 30_000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${ms} ms waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
