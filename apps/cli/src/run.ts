import { createClient, type Client } from '@switchyard/client';
import type { Command, Ctx, Group } from './command.ts';
import { parseInvocation } from './command.ts';
import { resolveTarget, type Target } from './config.ts';
import { CliError, EXIT, UsageError } from './errors.ts';
import { explain } from './explain.ts';
import { colorWanted } from './format/color.ts';
import { commandHelp, groupHelp, rootHelp } from './help.ts';
import { GROUPS, TOP_COMMANDS } from './commands/index.ts';
import type { Io } from './io.ts';
import { USER_AGENT, VERSION } from './version.ts';
import { Interrupted } from './commands/task/watch.ts';

const named = <T extends { name: string; aliases?: string[] }>(list: T[], word: string): T | undefined =>
  list.find((x) => x.name === word || x.aliases?.includes(word));

/** Resolves argv to a command: `task create …` or a top-level verb. */
export function resolveCommand(argv: string[]):
  | { kind: 'root' }
  | { kind: 'group'; group: Group }
  | { kind: 'command'; command: Command; path: string; rest: string[] } {
  const [first, second, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    if (first === 'help' && second) return resolveCommand([second, ...(rest.length ? rest : []), '--help']);
    return { kind: 'root' };
  }
  const top = named(TOP_COMMANDS, first);
  if (top) return { kind: 'command', command: top, path: top.name, rest: argv.slice(1) };
  const group = named(GROUPS, first);
  if (!group) throw new UsageError(`unknown command '${first}'${suggest(first, [...GROUPS, ...TOP_COMMANDS].map((x) => x.name))}`, "Run 'switchyard --help' for the list of commands.");
  if (second === undefined || second === '-h' || second === '--help') return { kind: 'group', group };
  const command = named(group.commands, second);
  if (!command) {
    throw new UsageError(`unknown command '${group.name} ${second}'${suggest(second, group.commands.map((c) => c.name))}`, `Run 'switchyard ${group.name} --help' for its commands.`);
  }
  return { kind: 'command', command, path: `${group.name} ${command.name}`, rest };
}

function suggest(word: string, names: string[]): string {
  const best = names.map((n) => [n, distance(word, n)] as const).sort((a, b) => a[1] - b[1])[0];
  return best && best[1] <= Math.max(2, Math.floor(word.length / 3)) ? `; did you mean '${best[0]}'?` : '';
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length]![b.length]!;
}

/** Runs one command line; returns the exit code. Never throws. */
export async function run(argv: string[], io: Io): Promise<number> {
  let path = '';
  let target: Target | null = null;
  try {
    if (argv[0] === '--version' || argv[0] === '-v' || argv[0] === 'version') {
      io.stdout.write(`switchyard ${VERSION}\n`);
      return EXIT.ok;
    }
    const found = resolveCommand(argv);
    if (found.kind === 'root') {
      io.stdout.write(rootHelp(GROUPS, TOP_COMMANDS, VERSION));
      return EXIT.ok;
    }
    if (found.kind === 'group') {
      io.stdout.write(groupHelp(found.group));
      return EXIT.ok;
    }
    path = found.path;
    const parsed = parseInvocation(found.command, path, found.rest);
    if (parsed.help) {
      io.stdout.write(commandHelp(found.command, path));
      return EXIT.ok;
    }
    let client: Client | null = null;
    const ctx: Ctx = {
      io,
      color: colorWanted(io.stdout, io.env),
      target() {
        target ??= resolveTarget(io.env);
        return target;
      },
      client() {
        const t = ctx.target();
        if (!t.token) {
          throw new CliError(`not logged in to ${t.url}`, 'Run switchyard login --url URL --token-file FILE, or set SWITCHYARD_URL and SWITCHYARD_TOKEN.', EXIT.server);
        }
        if (!client) {
          if (t.warning) io.stderr.write(`warning: ${t.warning}\n`);
          client = createClient({ url: t.url, token: t.token, userAgent: USER_AGENT });
        }
        return client;
      },
    };
    return await found.command.run(ctx, parsed.inv);
  } catch (err) {
    if (err instanceof Interrupted) {
      io.stderr.write(`\n${err.message}.\n${err.hint}\n`);
      return err.exitCode;
    }
    let t: Target | null = target;
    if (!t && !(err instanceof UsageError)) t = safeTarget(io);
    const e = explain(err, t, path || 'command');
    io.stderr.write(`error: ${e.message}\n${e.hint ? `${e.hint}\n` : ''}`);
    if (io.env.SWITCHYARD_DEBUG && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
    return e.exitCode;
  }
}

function safeTarget(io: Io): Target | null {
  try {
    return resolveTarget(io.env);
  } catch {
    return null;
  }
}
