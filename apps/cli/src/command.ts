import { parseArgs } from 'node:util';
import type { Client } from '@switchyard/client';
import { UsageError } from './errors.ts';
import type { Target } from './config.ts';
import type { Io } from './io.ts';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** Placeholder of the value in help, e.g. `NAME`. */
  value?: string;
  help: string;
  /** Shown as `--[no-]flag` in help: the negative form means something. */
  negatable?: boolean;
}

export interface Command {
  /** The verb: `create` in `switchyard task create`. */
  name: string;
  aliases?: string[];
  summary: string;
  /** The positional part of the usage line, e.g. `ID PROMPT|-`. */
  args?: string;
  minArgs?: number;
  maxArgs?: number;
  description?: string;
  options?: Record<string, OptionSpec>;
  /** Takes `-o json|table`. */
  output?: boolean;
  /** [what it does, the command line]. */
  examples: Array<[string, string]>;
  run(ctx: Ctx, inv: Invocation): Promise<number>;
}

export interface Group {
  name: string;
  aliases?: string[];
  summary: string;
  commands: Command[];
}

export type OutputFormat = 'table' | 'json';

export interface Invocation {
  /** `task create`, for messages. */
  path: string;
  args: string[];
  flags: Flags;
  output: OutputFormat;
}

export interface Ctx {
  io: Io;
  /** The API and token this run uses (env, then saved config). */
  target(): Target;
  /** A client for the target; a CliError when no token is known. */
  client(): Client;
  color: boolean;
}

type Values = Record<string, string | boolean | Array<string | boolean> | undefined>;

/** Typed access to parsed flags, turning bad values into usage errors that name the flag. */
export class Flags {
  constructor(private readonly values: Values) {}

  has(name: string): boolean {
    return this.values[name] !== undefined;
  }

  string(name: string): string | undefined {
    const v = this.values[name];
    return typeof v === 'string' ? v : undefined;
  }

  bool(name: string): boolean {
    return this.values[name] === true;
  }

  /** true, false (`--no-x`) or undefined when not given. */
  toggle(name: string): boolean | undefined {
    const v = this.values[name];
    return typeof v === 'boolean' ? v : undefined;
  }

  /** A repeatable flag whose values may also be comma-separated: `--x a,b --x c`. */
  list(name: string): string[] | undefined {
    const v = this.values[name];
    if (v === undefined) return undefined;
    const raw = (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
    return raw.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  }

  /** Every value of a repeatable flag, as given. */
  all(name: string): string[] {
    const v = this.values[name];
    if (v === undefined) return [];
    return (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
  }

  int(name: string, range: { min?: number; max?: number } = {}): number | undefined {
    const s = this.string(name);
    if (s === undefined) return undefined;
    if (!/^-?\d+$/.test(s)) throw new UsageError(`--${name} takes a whole number, not "${s}"`);
    return inRange(name, Number(s), range);
  }

  number(name: string, range: { min?: number; max?: number } = {}): number | undefined {
    const s = this.string(name);
    if (s === undefined) return undefined;
    const n = Number(s);
    if (s.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} takes a number, not "${s}"`);
    return inRange(name, n, range);
  }

  /** A duration such as `90`, `90s`, `30m`, `2h`, `1d`, in seconds. */
  duration(name: string): number | undefined {
    const s = this.string(name);
    if (s === undefined) return undefined;
    const secs = parseDuration(s);
    if (secs === null) throw new UsageError(`--${name} takes a duration like 90s, 30m, 2h or 1d, not "${s}"`);
    return secs;
  }

  /** Repeatable `key=value` pairs. */
  pairs(name: string): Record<string, string> | undefined {
    const all = this.all(name);
    if (all.length === 0) return undefined;
    const out: Record<string, string> = {};
    for (const kv of all) {
      const eq = kv.indexOf('=');
      if (eq <= 0) throw new UsageError(`--${name} takes key=value, not "${kv}"`);
      out[kv.slice(0, eq)] = kv.slice(eq + 1);
    }
    return out;
  }

  /** One of `choices`, or a usage error listing them. */
  choice<T extends string>(name: string, choices: readonly T[]): T | undefined {
    const s = this.string(name);
    if (s === undefined) return undefined;
    if (!(choices as readonly string[]).includes(s)) {
      throw new UsageError(`--${name} must be one of ${choices.join(', ')}; got "${s}"`);
    }
    return s as T;
  }
}

function inRange(name: string, n: number, { min, max }: { min?: number; max?: number }): number {
  if (min !== undefined && n < min) throw new UsageError(`--${name} must be at least ${min}; got ${n}`);
  if (max !== undefined && n > max) throw new UsageError(`--${name} must be at most ${max}; got ${n}`);
  return n;
}

const UNIT_SECS: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86_400 };

export function parseDuration(s: string): number | null {
  const m = /^(\d+)\s*(s|m|h|d)?$/.exec(s.trim());
  if (!m) return null;
  return Number(m[1]) * UNIT_SECS[m[2] ?? '']!;
}

export const OUTPUT_OPTION: OptionSpec = { type: 'string', short: 'o', value: 'FORMAT', help: 'table (default) or json' };
export const HELP_OPTION: OptionSpec = { type: 'boolean', short: 'h', help: 'show this help' };

/** Parses a verb's arguments; `help` is true when -h/--help was given (nothing else is checked then). */
export function parseInvocation(cmd: Command, path: string, argv: string[]): { help: true } | { help: false; inv: Invocation } {
  if (argv.includes('-h') || argv.includes('--help')) {
    const dashdash = argv.indexOf('--');
    const at = Math.max(argv.indexOf('-h'), argv.indexOf('--help'));
    if (dashdash === -1 || at < dashdash) return { help: true };
  }
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const [name, spec] of Object.entries(cmd.options ?? {})) {
    options[name] = { type: spec.type, ...(spec.short ? { short: spec.short } : {}), ...(spec.multiple ? { multiple: true } : {}) };
  }
  if (cmd.output) options.output = { type: 'string', short: 'o' };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true, allowNegative: true });
  } catch (err) {
    throw new UsageError(parseArgsMessage(err, path));
  }
  const values = parsed.values as Values;
  for (const [name, spec] of Object.entries(cmd.options ?? {})) {
    // --no-x on a flag whose negative means nothing is as wrong as an unknown flag.
    if (spec.type === 'boolean' && !spec.negatable && values[name] === false) {
      throw new UsageError(`unknown option '--no-${name}' for '${path}'`);
    }
  }
  const args = parsed.positionals;
  const min = cmd.minArgs ?? 0;
  const max = cmd.maxArgs ?? 0;
  if (args.length < min) {
    throw new UsageError(`'${path}' needs ${cmd.args ?? `${min} argument(s)`}${args.length ? `; got ${args.length} argument(s)` : ''}`);
  }
  if (args.length > max) {
    throw new UsageError(`'${path}' takes ${max === 0 ? 'no arguments' : `at most ${max} argument(s) (${cmd.args})`}; got ${args.map((a) => `"${a}"`).join(' ')}`, 'Quote values that contain spaces.');
  }
  let output: OutputFormat = 'table';
  const o = values.output;
  if (typeof o === 'string') {
    if (o !== 'json' && o !== 'table') throw new UsageError(`-o/--output must be json or table; got "${o}"`);
    output = o;
  }
  return { help: false, inv: { path, args, flags: new Flags(values), output } };
}

function parseArgsMessage(err: unknown, path: string): string {
  const e = err as { code?: string; message?: string };
  const msg = (e.message ?? String(err)).split('. To specify a positional argument')[0]!.replace(/\.$/, '');
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const flag = /'([^']+)'/.exec(msg)?.[1] ?? msg;
      return `unknown option '${flag}' for '${path}'`;
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const flag = /'(?:-\w, )?(--?[\w-]+)/.exec(msg)?.[1];
      if (flag && /argument missing|ambiguous/.test(msg)) return `option ${flag} needs a value`;
      return lowerFirst(msg.split('\n')[0]!);
    }
    default:
      return lowerFirst(msg);
  }
}

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
