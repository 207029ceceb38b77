/** The subset of `claude`'s command line that headless runs use, parsed the way commander does. */
export interface SimArgs {
  print: boolean;
  outputFormat: 'text' | 'json' | 'stream-json';
  verbose: boolean;
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
  version: boolean;
  prompt?: string;
}

export class UsageError extends Error {}

const VALUE_FLAGS: Record<string, keyof SimArgs> = {
  '--output-format': 'outputFormat',
  '--session-id': 'sessionId',
  '--resume': 'resume',
  '-r': 'resume',
  '--model': 'model',
  '--fallback-model': 'fallbackModel',
  '--permission-mode': 'permissionMode',
  '--max-turns': 'maxTurns',
  '--max-budget-usd': 'maxBudgetUsd',
  '--append-system-prompt': 'appendSystemPrompt',
};
const VARIADIC: Record<string, 'allowedTools' | 'disallowedTools'> = {
  '--allowedTools': 'allowedTools',
  '--allowed-tools': 'allowedTools',
  '--disallowedTools': 'disallowedTools',
  '--disallowed-tools': 'disallowedTools',
};
const PERMISSION_MODES = ['default', 'acceptEdits', 'plan', 'bypassPermissions', 'dontAsk'];

export function parseArgs(argv: string[]): SimArgs {
  const a: SimArgs = { print: false, outputFormat: 'text', verbose: false, allowedTools: [], disallowedTools: [], version: false };
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-p' || arg === '--print') a.print = true;
    else if (arg === '--verbose') a.verbose = true;
    else if (arg === '-v' || arg === '--version') a.version = true;
    else if (arg in VARIADIC) {
      const key = VARIADIC[arg]!;
      // Variadic like commander: takes values until the next option or `--`.
      while (i + 1 < argv.length && !argv[i + 1]!.startsWith('-')) a[key].push(argv[++i]!);
      if (a[key].length === 0) throw new UsageError(`error: option '${arg} <tools...>' argument missing`);
    } else if (arg in VALUE_FLAGS || arg.split('=')[0]! in VALUE_FLAGS) {
      const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`error: option '${flag} <value>' argument missing`);
      const key = VALUE_FLAGS[flag]!;
      if (key === 'maxTurns' || key === 'maxBudgetUsd') {
        const n = Number(value);
        if (!Number.isFinite(n)) throw new UsageError(`error: option '${flag}' argument '${value}' is invalid`);
        (a[key] as number) = n;
      } else {
        (a[key] as string) = value;
      }
    } else if (arg.startsWith('-') && arg.length > 1) {
      throw new UsageError(`error: unknown option '${arg}'`);
    } else {
      positional.push(arg);
    }
  }
  if (!['text', 'json', 'stream-json'].includes(a.outputFormat)) {
    throw new UsageError(`error: option '--output-format <format>' argument '${a.outputFormat}' is invalid. Allowed choices are text, json, stream-json.`);
  }
  if (a.permissionMode && !PERMISSION_MODES.includes(a.permissionMode)) {
    throw new UsageError(`error: option '--permission-mode <mode>' argument '${a.permissionMode}' is invalid. Allowed choices are ${PERMISSION_MODES.join(', ')}.`);
  }
  if (positional.length > 0) a.prompt = positional.join(' ');
  return a;
}
