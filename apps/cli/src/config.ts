import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CliError, EXIT, UsageError } from './errors.ts';

/** Where `npm start` serves the API; the URL used when nothing else says. */
export const DEFAULT_URL = 'http://127.0.0.1:7700';

/** What `switchyard login` keeps between runs. */
export interface StoredConfig {
  url?: string;
  token?: string;
  /** Who the token was at login, to show without a request. */
  user?: { name: string; role: string; team: string | null };
  savedAt?: string;
}

type Env = Record<string, string | undefined>;

/** `$XDG_CONFIG_HOME/switchyard/config.json`, else `~/.config/switchyard/config.json`. */
export function configPath(env: Env): string {
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'switchyard', 'config.json');
}

export interface LoadedConfig {
  path: string;
  config: StoredConfig;
  /** Set when the file is readable by others: it holds a token. */
  warning: string | null;
}

export function readConfig(env: Env): LoadedConfig {
  const path = configPath(env);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { path, config: {}, warning: null };
    throw new CliError(`cannot read ${path}: ${(err as Error).message}`, 'Fix its permissions, or delete it and run switchyard login.', EXIT.server);
  }
  let config: StoredConfig;
  try {
    config = JSON.parse(text) as StoredConfig;
    if (!config || typeof config !== 'object' || Array.isArray(config)) throw new Error('not an object');
  } catch {
    throw new CliError(`${path} is not valid JSON`, 'Delete it and run switchyard login again.', EXIT.server);
  }
  const mode = statSync(path).mode & 0o777;
  const warning = mode & 0o077 ? `${path} is readable by others (mode ${mode.toString(8)}) and holds a token: chmod 600 ${path}` : null;
  return { path, config, warning };
}

/** Writes the config atomically: dir 0700, file 0600, never briefly world-readable. */
export function writeConfig(env: Env, config: StoredConfig): string {
  const path = configPath(env);
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
  return path;
}

export type UrlSource = 'SWITCHYARD_URL' | 'config' | 'default';
export type TokenSource = 'SWITCHYARD_TOKEN' | 'SWITCHYARD_TOKEN_FILE' | 'config';

/** Which API and token a command uses, and where each came from (for error messages). */
export interface Target {
  url: string;
  urlFrom: UrlSource;
  token: string | null;
  tokenFrom: TokenSource | null;
  configPath: string;
  warning: string | null;
}

/** The environment wins over the saved config, so CI never depends on a home directory. */
export function resolveTarget(env: Env): Target {
  const { path, config, warning } = readConfig(env);
  const url = env.SWITCHYARD_URL ? { url: env.SWITCHYARD_URL, from: 'SWITCHYARD_URL' as const }
    : config.url ? { url: config.url, from: 'config' as const }
    : { url: DEFAULT_URL, from: 'default' as const };
  let token: string | null = null;
  let tokenFrom: TokenSource | null = null;
  if (env.SWITCHYARD_TOKEN) {
    token = env.SWITCHYARD_TOKEN.trim();
    tokenFrom = 'SWITCHYARD_TOKEN';
  } else if (env.SWITCHYARD_TOKEN_FILE) {
    token = readTokenFile(env.SWITCHYARD_TOKEN_FILE, 'SWITCHYARD_TOKEN_FILE');
    tokenFrom = 'SWITCHYARD_TOKEN_FILE';
  } else if (config.token) {
    token = config.token;
    tokenFrom = 'config';
  }
  return { url: checkUrl(url.url, url.from), urlFrom: url.from, token, tokenFrom, configPath: path, warning: tokenFrom === 'config' ? warning : null };
}

export function readTokenFile(file: string, what: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read the token file ${file} (${what}): ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const token = text.trim();
  if (!token) throw new UsageError(`the token file ${file} (${what}) is empty`);
  return token;
}

/** An http(s) URL without a trailing slash, or a usage error that names where it came from. */
export function checkUrl(url: string, from: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`${from === 'config' ? 'the saved URL' : from} is not a URL: ${url}`, 'Give it as http://host:port, e.g. http://127.0.0.1:7700.');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new UsageError(`${url} is not an http(s) URL`, 'Give it as http://host:port, e.g. http://127.0.0.1:7700.');
  }
  return url.replace(/\/+$/, '');
}
