import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';

export interface AgentConfig {
  url: string;
  token: string;
  /** The file the token was read from, if any: kept out of claude's environment too. */
  tokenFile?: string | null;
  dir: string;
  slots: number;
  workdirRoots: string[];
  claudeBin: string | null;
  simFallback: boolean;
  /** Seconds a finished turn's tmux pane stays viewable. */
  sessionRetentionSec: number;
  /** Seconds a fully reported task's files are kept on disk. */
  dirRetentionSec: number;
  /** Output kept on disk per task; past it the runner stops appending. */
  maxOutputBytes: number;
  /** Seconds between SIGINT and killing the tmux session. */
  killGraceSec: number;
  /** Seconds the agent reports itself not ready after claude's login failed in a turn (300). */
  authHoldSec?: number;
  logLevel: string;
}

export const USAGE = `switchyard-agent — runs Switchyard tasks of one workspace in tmux

  --url URL              the Switchyard API            (SWITCHYARD_URL)
  --token-file FILE      file holding the agent token  (SWITCHYARD_AGENT_TOKEN_FILE, or SWITCHYARD_AGENT_TOKEN)
  --slots N              turns run at once, default 2  (SWITCHYARD_AGENT_SLOTS)
  --workdir-root DIR     allowed task directory, repeatable, default $HOME
                                                       (SWITCHYARD_WORKDIR_ROOTS, colon-separated)
  --dir DIR              state and output, default ~/.switchyard (SWITCHYARD_AGENT_DIR)
  --claude-bin PATH      the claude binary, default claude on PATH (SWITCHYARD_CLAUDE_BIN)
  --sim-fallback         run claude-sim when claude is missing or not logged in (SWITCHYARD_SIM_FALLBACK=1)
  --help                 this text

  SWITCHYARD_SESSION_RETENTION_SEC (300), SWITCHYARD_DIR_RETENTION_SEC (86400),
  SWITCHYARD_MAX_OUTPUT_BYTES (268435456), SWITCHYARD_LOG_LEVEL (info)

  Turns run on the agent's own tmux server: tmux -S <dir>/tmux.sock attach -t sy-<task id>.
  claude gets an allow-listed environment (ANTHROPIC_*, CLAUDE_*, provider, proxy, locale,
  git…), never SWITCHYARD_* or the agent token. Where a task's permission mode asks, claude asks
  the agent's own MCP server (switchyard-agent approval-mcp), which relays each tool call over
  <dir>/approvals/relay.sock (owner-only) to the API, where the policy or a person answers.
`;

const Schema = z.object({
  url: z.url({ error: 'SWITCHYARD_URL / --url must be an http(s) URL' }),
  token: z.string().regex(/^sya_[A-Za-z0-9_-]{20,}$/, 'the agent token must be an sya_… token (SWITCHYARD_AGENT_TOKEN, SWITCHYARD_AGENT_TOKEN_FILE or --token-file)'),
  dir: z.string().min(1),
  slots: z.coerce.number().int().min(1).max(256),
  workdirRoots: z.array(z.string().startsWith('/', 'workdir roots must be absolute')).min(1),
  claudeBin: z.string().min(1).nullable(),
  simFallback: z.boolean(),
  sessionRetentionSec: z.coerce.number().int().min(0),
  dirRetentionSec: z.coerce.number().int().min(0),
  maxOutputBytes: z.coerce.number().int().min(1024),
  killGraceSec: z.coerce.number().min(0),
  authHoldSec: z.coerce.number().int().min(0).max(86_400),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
});

const truthy = (v: string | undefined) => v === '1' || v === 'true' || v === 'yes';

/** Flags win over the environment; fails naming every bad setting. */
export function loadConfig(
  env: NodeJS.ProcessEnv,
  argv: string[],
  readFile: (path: string) => string,
): AgentConfig | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      url: { type: 'string' },
      'token-file': { type: 'string' },
      slots: { type: 'string' },
      'workdir-root': { type: 'string', multiple: true },
      dir: { type: 'string' },
      'claude-bin': { type: 'string' },
      'sim-fallback': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const tokenFile = values['token-file'] ?? env.SWITCHYARD_AGENT_TOKEN_FILE;
  let token = env.SWITCHYARD_AGENT_TOKEN ?? '';
  if (tokenFile) {
    try {
      token = readFile(tokenFile).trim();
    } catch (err) {
      throw new Error(`invalid configuration:\n  token file ${tokenFile}: ${(err as Error).message}`);
    }
  }
  const roots = values['workdir-root'] ?? (env.SWITCHYARD_WORKDIR_ROOTS ? env.SWITCHYARD_WORKDIR_ROOTS.split(':').filter(Boolean) : [homedir()]);
  const parsed = Schema.safeParse({
    url: values.url ?? env.SWITCHYARD_URL,
    token,
    dir: resolve((values.dir ?? env.SWITCHYARD_AGENT_DIR ?? '~/.switchyard').replace(/^~(?=\/|$)/, homedir())),
    slots: values.slots ?? env.SWITCHYARD_AGENT_SLOTS ?? 2,
    workdirRoots: roots.map((r) => (r.length > 1 ? r.replace(/\/+$/, '') : r)),
    claudeBin: values['claude-bin'] ?? (env.SWITCHYARD_CLAUDE_BIN || null),
    simFallback: values['sim-fallback'] ?? truthy(env.SWITCHYARD_SIM_FALLBACK),
    sessionRetentionSec: env.SWITCHYARD_SESSION_RETENTION_SEC ?? 300,
    dirRetentionSec: env.SWITCHYARD_DIR_RETENTION_SEC ?? 86_400,
    maxOutputBytes: env.SWITCHYARD_MAX_OUTPUT_BYTES ?? 256 * 1024 * 1024,
    killGraceSec: env.SWITCHYARD_KILL_GRACE_SEC ?? 10,
    authHoldSec: env.SWITCHYARD_AUTH_HOLD_SEC ?? 300,
    logLevel: env.SWITCHYARD_LOG_LEVEL ?? 'info',
  });
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid configuration:\n${lines.join('\n')}`);
  }
  return { ...parsed.data, url: parsed.data.url.replace(/\/+$/, ''), tokenFile: tokenFile ?? null };
}
