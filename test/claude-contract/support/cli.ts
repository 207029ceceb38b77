import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { TESTED_CLAUDE_VERSIONS } from '@switchyard/core';

/**
 * The Claude Code CLI version the contract suite pins: the first of core's tested versions, which
 * agents are checked against. `npm run contract -- --cli latest` tries another.
 */
export const PINNED_CLI_VERSION = TESTED_CLAUDE_VERSIONS[0]!;

function cacheRoot(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'switchyard');
}

/** The platform package that carries the native binary (npm's install-scripts policy skips the wrapper's postinstall). */
function platformPackage(): string {
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  const musl = process.platform === 'linux' && !header?.glibcVersionRuntime;
  return `@anthropic-ai/claude-code-${process.platform}-${process.arch}${musl ? '-musl' : ''}`;
}

function resolveVersion(version: string): string {
  if (version !== 'latest') return version;
  const r = spawnSync('npm', ['view', '@anthropic-ai/claude-code', 'version'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm view @anthropic-ai/claude-code failed: ${r.stderr}`);
  return r.stdout.trim();
}

/**
 * The real `claude` binary at `version`, installed from the npm registry into a cache outside
 * the repo the first time (about 400 MB), so later runs fetch nothing.
 */
export function ensureClaudeCli(version = process.env.SWITCHYARD_CONTRACT_CLI ?? PINNED_CLI_VERSION): { bin: string; version: string } {
  const v = resolveVersion(version);
  const dir = join(cacheRoot(), `claude-code-${v}`);
  const bin = join(dir, 'node_modules', platformPackage(), 'claude');
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true });
    process.stdout.write(`contract: installing @anthropic-ai/claude-code@${v} into ${dir} (once)…\n`);
    const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--no-save', '--prefix', dir, `@anthropic-ai/claude-code@${v}`], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (r.status !== 0 || !existsSync(bin)) throw new Error(`could not install @anthropic-ai/claude-code@${v} (exit ${r.status}); is the npm registry reachable?`);
  }
  return { bin, version: v };
}

/**
 * The only environment the CLI gets in the suite: a temp HOME, the local Messages API, a fake
 * key, and every switch that keeps it off the network.
 */
export function offlineEnv(apiUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {
    HOME: mkdtempSync(join(tmpdir(), 'sy-claude-home-')),
    PATH: '/usr/local/bin:/usr/bin:/bin',
    LANG: 'C.UTF-8',
    ANTHROPIC_BASE_URL: apiUrl,
    ANTHROPIC_API_KEY: 'sk-ant-test-not-a-real-key',
    DISABLE_AUTOUPDATER: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_ERROR_REPORTING: '1',
    ...extra,
  };
  // An empty value removes a variable (`ANTHROPIC_API_KEY: ''` for an OAuth login).
  for (const [k, v] of Object.entries(env)) if (v === '') delete env[k];
  return env;
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** stdout split into parsed stream-json events. */
  events: Record<string, unknown>[];
  stdout: string;
  stderr: string;
}

/** Runs the CLI once (`-p … --output-format stream-json --verbose`) in `cwd` and collects what it printed. */
export function runCli(bin: string, args: string[], opts: { cwd: string; env: Record<string, string>; timeoutMs?: number }): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const events = stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      resolve({ code, signal, events, stdout, stderr });
    });
  });
}

/** The CLI's `--help`, for checking that every flag the runner passes exists. */
export function cliHelp(bin: string): string {
  const env = offlineEnv('http://127.0.0.1:9');
  const r = spawnSync(bin, ['--help'], { env, encoding: 'utf8' });
  return r.stdout;
}

export function readTranscript(path: string): Record<string, unknown>[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
