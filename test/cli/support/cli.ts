import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** The CLI's bundle (built by vitest's global setup), which the bin runs. */
export const MAIN = join(REPO, 'apps', 'cli', 'dist', 'main.js');
export const BIN = join(REPO, 'apps', 'cli', 'bin', 'switchyard.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunningCli {
  proc: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when stdout+stderr match `re`; rejects after `ms` with what was printed. */
  waitFor(re: RegExp, ms?: number): Promise<void>;
  done: Promise<CliResult>;
}

/** A temp HOME with nothing of the developer's: no config, no SWITCHYARD_* variables. */
export function freshHome(): string {
  return mkdtempSync(join(tmpdir(), 'sy-cli-home-'));
}

export function cliEnv(home: string, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('SWITCHYARD_') && k !== 'TMUX' && k !== 'FORCE_COLOR') env[k] = v;
  Object.assign(env, { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), NO_COLOR: '1' }, extra);
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  return env;
}

/**
 * Runs the CLI as a subprocess (`node apps/cli/dist/main.js …`, or its bin), asynchronously:
 * the API under test lives in this very process and must keep answering.
 */
export function startCli(args: string[], opts: { env: NodeJS.ProcessEnv; input?: string; bin?: boolean; cwd?: string }): RunningCli {
  const argv = opts.bin ? [BIN, ...args] : ['--enable-source-maps', MAIN, ...args];
  const proc = spawn(process.execPath, argv, { cwd: opts.cwd ?? REPO, env: opts.env, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters: Array<() => void> = [];
  const poke = () => waiters.splice(0).forEach((w) => w());
  proc.stdout!.on('data', (b: Buffer) => { out += b.toString(); poke(); });
  proc.stderr!.on('data', (b: Buffer) => { err += b.toString(); poke(); });
  if (opts.input !== undefined) proc.stdin!.end(opts.input);
  else proc.stdin!.end();
  const done = new Promise<CliResult>((resolve) => {
    proc.on('close', (code) => resolve({ code, stdout: out, stderr: err }));
  });
  return {
    proc,
    stdout: () => out,
    stderr: () => err,
    done,
    async waitFor(re, ms = 15_000) {
      const deadline = Date.now() + ms;
      while (!re.test(out + err)) {
        if (Date.now() > deadline || proc.exitCode !== null) {
          throw new Error(`CLI did not print ${re} within ${ms} ms (exit ${proc.exitCode});\nstdout: ${out}\nstderr: ${err}`);
        }
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 200);
        });
      }
    },
  };
}

export function cli(args: string[], opts: { env: NodeJS.ProcessEnv; input?: string; bin?: boolean; cwd?: string }): Promise<CliResult> {
  return startCli(args, opts).done;
}
