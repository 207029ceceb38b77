/** The part of `claude`'s command line that headless runs use. */
export interface SimArgs {
  print: boolean;
  outputFormat: OutputFormat;
  verbose: boolean;
  version: boolean;
  help: boolean;
  sessionId?: string;
  resume?: string;
  model?: string;
  fallbackModel?: string;
  permissionMode?: string;
  allowedTools: string[];
  disallowedTools: string[];
  maxTurns?: number;
  maxBudgetUsd?: number;
  appendSystemPrompt?: string;
  /** `--permission-prompt-tool`: the MCP tool asked about a call the mode would ask about. */
  permissionPromptTool?: string;
  /** `--mcp-config` values (JSON or a file), in order: for a server named twice the last wins. */
  mcpConfigs: string[];
  /** Absent when no prompt argument was given: the prompt then comes from stdin. */
  prompt?: string;
}

export type OutputFormat = 'text' | 'json' | 'stream-json';

/** A command line the real CLI would refuse; the message is what commander would print. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

type ValueKey =
  | 'outputFormat'
  | 'sessionId'
  | 'resume'
  | 'model'
  | 'fallbackModel'
  | 'permissionMode'
  | 'maxTurns'
  | 'maxBudgetUsd'
  | 'appendSystemPrompt'
  | 'permissionPromptTool';

const BOOLEAN: Record<string, 'print' | 'verbose' | 'version' | 'help'> = {
  '-p': 'print',
  '--print': 'print',
  '--verbose': 'verbose',
  '-v': 'version',
  '--version': 'version',
  '-h': 'help',
  '--help': 'help',
};

const VALUE: Record<string, ValueKey> = {
  '--output-format': 'outputFormat',
  '--session-id': 'sessionId',
  '-r': 'resume',
  '--resume': 'resume',
  '--model': 'model',
  '--fallback-model': 'fallbackModel',
  '--permission-mode': 'permissionMode',
  '--max-turns': 'maxTurns',
  '--max-budget-usd': 'maxBudgetUsd',
  '--append-system-prompt': 'appendSystemPrompt',
  '--permission-prompt-tool': 'permissionPromptTool',
};

/**
 * Flags the sim takes as the real CLI does and otherwise ignores: they change what the model
 * sees or where settings come from, which a scripted run has no use for. Each takes a value.
 */
const IGNORED_VALUE = new Set(['--setting-sources', '--effort', '--json-schema', '--system-prompt', '--settings']);
/** Ignored flags that take no value. */
const IGNORED_BOOLEAN = new Set(['--strict-mcp-config']);
/** Ignored variadic flags (`--add-dir <directories...>`). */
const IGNORED_VARIADIC = new Set(['--add-dir']);

type ListKey = 'allowedTools' | 'disallowedTools' | 'mcpConfigs';
const VARIADIC: Record<string, ListKey> = {
  '--allowedTools': 'allowedTools',
  '--allowed-tools': 'allowedTools',
  '--disallowedTools': 'disallowedTools',
  '--disallowed-tools': 'disallowedTools',
  '--mcp-config': 'mcpConfigs',
};

const OUTPUT_FORMATS: OutputFormat[] = ['text', 'json', 'stream-json'];
export const PERMISSION_MODES = ['acceptEdits', 'auto', 'bypassPermissions', 'default', 'dontAsk', 'manual', 'plan'];

/** Commander's test for "this argument is an option, not a value". */
const looksLikeOption = (arg: string): boolean => arg.length > 1 && arg.startsWith('-');

function choice<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(
    `error: option '${flag}' argument '${value}' is invalid. Allowed choices are ${allowed.join(', ')}.`,
  );
}

function number(flag: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) {
    throw new UsageError(`error: option '${flag}' argument '${value}' is invalid.`);
  }
  return n;
}

/**
 * Parses argv the way claude's commander setup does: options and the prompt in any order,
 * `--opt=value` or `--opt value`, a required value taken even when it starts with a dash,
 * variadic tool lists that run until the next option or `--`, and `--` ending all options.
 */
export function parseArgs(argv: readonly string[]): SimArgs {
  const a: SimArgs = {
    print: false,
    outputFormat: 'text',
    verbose: false,
    version: false,
    help: false,
    allowedTools: [],
    disallowedTools: [],
    mcpConfigs: [],
  };
  const operands: string[] = [];
  let variadic: ListKey | null = null;

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      operands.push(...argv.slice(i + 1));
      break;
    }
    if (variadic && !looksLikeOption(arg)) {
      a[variadic].push(arg);
      continue;
    }
    variadic = null;
    if (!looksLikeOption(arg)) {
      operands.push(arg);
      continue;
    }
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    const inline = eq === -1 ? undefined : arg.slice(eq + 1);

    if (flag in BOOLEAN && inline === undefined) {
      a[BOOLEAN[flag]!] = true;
    } else if (IGNORED_BOOLEAN.has(flag) && inline === undefined) {
      // accepted, as claude does
    } else if (IGNORED_VALUE.has(flag) || IGNORED_VARIADIC.has(flag)) {
      if (inline === undefined && argv[++i] === undefined) throw new UsageError(`error: option '${flag} <value>' argument missing`);
    } else if (flag in VARIADIC) {
      const key = VARIADIC[flag]!;
      if (inline !== undefined) a[key].push(inline);
      else if (i + 1 >= argv.length || looksLikeOption(argv[i + 1]!) || argv[i + 1] === '--') {
        throw new UsageError(`error: option '${flag} <${key === 'mcpConfigs' ? 'configs' : 'tools'}...>' argument missing`);
      }
      variadic = key;
    } else if (flag in VALUE) {
      const value = inline ?? argv[++i];
      if (value === undefined)
        throw new UsageError(`error: option '${flag} <value>' argument missing`);
      setValue(a, flag, VALUE[flag]!, value);
    } else {
      throw new UsageError(`error: unknown option '${arg}'`);
    }
  }

  if (operands.length > 1) {
    throw new UsageError(
      `error: too many arguments. Expected 1 argument but got ${operands.length}.`,
    );
  }
  if (operands.length === 1) a.prompt = operands[0]!;
  return a;
}

function setValue(a: SimArgs, flag: string, key: ValueKey, value: string): void {
  switch (key) {
    case 'outputFormat':
      a.outputFormat = choice(flag, value, OUTPUT_FORMATS);
      break;
    case 'permissionMode':
      a.permissionMode = choice(flag, value, PERMISSION_MODES);
      break;
    case 'maxTurns':
    case 'maxBudgetUsd':
      a[key] = number(flag, value);
      break;
    default:
      a[key] = value;
  }
}
