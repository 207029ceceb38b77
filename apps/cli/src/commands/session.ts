import { ApiError, createClient } from '@switchyard/client';
import type { TokenView } from '@switchyard/core';
import type { Command, Ctx, Invocation } from '../command.ts';
import { checkUrl, DEFAULT_URL, readConfig, readTokenFile, writeConfig } from '../config.ts';
import { CliError, EXIT, UsageError } from '../errors.ts';
import { explain } from '../explain.ts';
import { details } from '../format/table.ts';
import { ago } from '../format/time.ts';
import { readAll } from '../io.ts';
import { printJson } from '../output.ts';
import { USER_AGENT } from '../version.ts';

export const loginCommand: Command = {
  name: 'login',
  summary: 'Check a token against the API and remember both',
  description: [
    `Saves the URL and token in $XDG_CONFIG_HOME/switchyard/config.json (default ~/.config/switchyard; dir 0700,`,
    'file 0600) after checking the token with GET /v1/me. Without --url and --token-file, SWITCHYARD_URL and',
    'SWITCHYARD_TOKEN (or SWITCHYARD_TOKEN_FILE) are used. At run time SWITCHYARD_URL and SWITCHYARD_TOKEN win over',
    'the saved config, so CI needs no login at all.',
  ].join('\n'),
  options: {
    url: { type: 'string', value: 'URL', help: `the API, e.g. https://switchyard.internal (default ${DEFAULT_URL})` },
    'token-file': { type: 'string', value: 'FILE', help: 'file holding a user token (syu_…); - reads stdin' },
  },
  examples: [
    ['Log in to a local `npm start`', 'switchyard login --url http://127.0.0.1:7700 --token-file .switchyard/admin-token'],
    ['Token from a password manager, through stdin', 'op read op://infra/switchyard/token | switchyard login --url https://switchyard.internal --token-file -'],
  ],
  run: runLogin,
};

/** Login takes flags before the environment: what is typed beats what is ambient. */
async function runLogin(ctx: Ctx, { flags }: Invocation): Promise<number> {
  const { io } = ctx;
  const env = io.env;
  const { config } = readConfig(env);
  const urlFlag = flags.string('url');
  const url = urlFlag ? checkUrl(urlFlag, '--url') : env.SWITCHYARD_URL ? checkUrl(env.SWITCHYARD_URL, 'SWITCHYARD_URL') : (config.url ?? DEFAULT_URL);
  const file = flags.string('token-file');
  let token: string;
  if (file === '-') {
    if (io.stdin.isTTY) io.stderr.write('Paste the token, then press Ctrl-D:\n');
    token = (await readAll(io.stdin)).trim();
    if (!token) throw new UsageError('no token on stdin');
  } else if (file) token = readTokenFile(file, '--token-file');
  else if (env.SWITCHYARD_TOKEN) token = env.SWITCHYARD_TOKEN.trim();
  else if (env.SWITCHYARD_TOKEN_FILE) token = readTokenFile(env.SWITCHYARD_TOKEN_FILE, 'SWITCHYARD_TOKEN_FILE');
  else throw new UsageError('give the token with --token-file FILE (or - for stdin), or set SWITCHYARD_TOKEN', "On a local 'npm start' the admin token is in .switchyard/admin-token.");
  if (token.startsWith('sya_')) {
    throw new UsageError('that is an agent token (sya_…); the CLI needs a user token (syu_…)', "An admin can make one with 'switchyard token create NAME --role member --team TEAM'.");
  }

  const client = createClient({ url, token, userAgent: USER_AGENT });
  const target = { url, urlFrom: 'config' as const, tokenFrom: null, configPath: '' };
  let me: TokenView | null = null;
  try {
    me = await client.me();
  } catch (err) {
    if (!(err instanceof ApiError && err.isMissingRoute)) throw withLoginHint(err, target);
    // An API without /v1/me still tells a good token from a bad one.
    await client.tasks.list({ limit: 1 }).catch((e: unknown) => { throw withLoginHint(e, target); });
  }
  const path = writeConfig(env, {
    url,
    token,
    ...(me ? { user: { name: me.name, role: me.role, team: me.team } } : {}),
    savedAt: new Date(io.now()).toISOString(),
  });
  const who = me ? ` as ${me.name} (${me.role}${me.team ? `, team ${me.team}` : ''})` : '';
  io.stdout.write(`Logged in to ${url}${who}.\n`);
  io.stderr.write(`Saved to ${path}.\n`);
  if (env.SWITCHYARD_TOKEN && env.SWITCHYARD_TOKEN.trim() !== token) io.stderr.write('Note: SWITCHYARD_TOKEN is set and wins over the saved token.\n');
  if (env.SWITCHYARD_URL && checkUrl(env.SWITCHYARD_URL, 'SWITCHYARD_URL') !== url) io.stderr.write('Note: SWITCHYARD_URL is set and wins over the saved URL.\n');
  return 0;
}

function withLoginHint(err: unknown, target: { url: string; urlFrom: 'config'; tokenFrom: null; configPath: string }): CliError {
  const e = explain(err, target, 'login');
  if (err instanceof ApiError && err.status === 401) {
    return new CliError(`${target.url} refused this token: ${err.message}`, 'Check that the file holds a current user token (syu_…); nothing was saved.', EXIT.server);
  }
  return new CliError(e.message, e.hint, e.exitCode);
}

export const logoutCommand: Command = {
  name: 'logout',
  summary: 'Forget the saved token (the URL stays)',
  examples: [['Forget the token on this machine', 'switchyard logout']],
  async run(ctx) {
    const { config, path } = readConfig(ctx.io.env);
    if (!config.token) {
      ctx.io.stderr.write(`Not logged in (no token in ${path}).\n`);
      return 0;
    }
    const { token: _t, user: _u, ...rest } = config;
    writeConfig(ctx.io.env, rest);
    ctx.io.stdout.write(`Logged out: removed the token from ${path}.\n`);
    if (ctx.io.env.SWITCHYARD_TOKEN) ctx.io.stderr.write('Note: SWITCHYARD_TOKEN is still set in this shell.\n');
    return 0;
  },
};

export const whoamiCommand: Command = {
  name: 'whoami',
  summary: 'Show the API and the token this CLI uses',
  output: true,
  examples: [['Which token, role and team am I using?', 'switchyard whoami']],
  async run(ctx, { output }) {
    const target = ctx.target();
    const me = await ctx.client().me();
    if (output === 'json') {
      printJson(ctx.io, { url: target.url, ...me });
      return 0;
    }
    const now = ctx.io.now();
    ctx.io.stdout.write(details([
      ['API', `${target.url} (from ${target.urlFrom === 'config' ? target.configPath : target.urlFrom})`],
      ['Token', `${me.name} (${me.id}, ${me.prefix}…, from ${target.tokenFrom === 'config' ? target.configPath : target.tokenFrom})`],
      ['Role', me.role],
      ['Team', me.team ?? (me.role === 'admin' ? '(all teams)' : null)],
      ['Default workspace', me.defaultWorkspace],
      ['Expires', me.expiresAt ? `${me.expiresAt} (${ago(me.expiresAt, now)})` : 'never'],
    ]));
    return 0;
  },
};
