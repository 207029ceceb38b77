import type { Command, Group, OptionSpec } from './command.ts';
import { HELP_OPTION, OUTPUT_OPTION } from './command.ts';
import { EXIT } from './errors.ts';

function optionLines(cmd: Command): string[] {
  const entries: Array<[string, OptionSpec]> = Object.entries(cmd.options ?? {});
  if (cmd.output) entries.push(['output', OUTPUT_OPTION]);
  entries.push(['help', HELP_OPTION]);
  const left = entries.map(([name, o]) => {
    const long = o.negatable ? `--[no-]${name}` : `--${name}`;
    return `${o.short ? `-${o.short}, ` : '    '}${long}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`;
  });
  const w = Math.max(...left.map((l) => l.length)) + 3;
  return entries.map(([, o], i) => `  ${left[i]!.padEnd(w)}${o.help}${o.multiple ? ' (repeatable)' : ''}`);
}

export function commandHelp(cmd: Command, path: string): string {
  const lines = [cmd.summary + '.', '', 'Usage:', `  switchyard ${path}${cmd.args ? ` ${cmd.args}` : ''} [flags]`];
  if (cmd.aliases?.length) lines.push('', `Aliases: ${cmd.aliases.join(', ')}`);
  if (cmd.description) lines.push('', cmd.description);
  lines.push('', 'Flags:', ...optionLines(cmd));
  lines.push('', 'Examples:');
  for (const [what, line] of cmd.examples) lines.push(`  # ${what}`, `  ${line}`, '');
  return lines.join('\n');
}

export function groupHelp(g: Group): string {
  const w = Math.max(...g.commands.map((c) => c.name.length)) + 3;
  return [
    `${g.summary}.`,
    '',
    'Usage:',
    `  switchyard ${g.name} <command> [flags]`,
    '',
    'Commands:',
    ...g.commands.map((c) => `  ${c.name.padEnd(w)}${c.summary}`),
    '',
    `Run 'switchyard ${g.name} <command> --help' for its flags and examples.`,
    '',
  ].join('\n');
}

export function rootHelp(groups: Group[], top: Command[], version: string): string {
  const rows: Array<[string, string]> = [];
  for (const g of groups) for (const c of g.commands) rows.push([`${g.name} ${c.name}`, c.summary]);
  const w = Math.max(...rows.map(([n]) => n.length), ...top.map((c) => c.name.length)) + 3;
  return [
    `switchyard ${version} — queue, watch and steer Claude Code tasks on a Switchyard broker.`,
    '',
    'Usage:',
    '  switchyard <command> [flags]',
    '',
    'Commands:',
    ...rows.map(([n, s]) => `  ${n.padEnd(w)}${s}`),
    '',
    ...top.map((c) => `  ${c.name.padEnd(w)}${c.summary}`),
    '',
    'Read verbs take -o json. Every command takes --help, with examples.',
    '',
    'Environment:',
    '  SWITCHYARD_URL          the API (wins over the saved config; default http://127.0.0.1:7700)',
    '  SWITCHYARD_TOKEN        a user token (wins over the saved config); or SWITCHYARD_TOKEN_FILE',
    '  SWITCHYARD_WORKSPACE    default --workspace of task create',
    '  XDG_CONFIG_HOME         where switchyard/config.json is kept (default ~/.config)',
    '  NO_COLOR                no colours even on a terminal',
    '',
    'Exit codes:',
    `  ${EXIT.ok} ok · ${EXIT.taskFailed} the task failed (--wait, --follow, logs -f, task wait) · ${EXIT.usage} usage error or refused request ·`,
    `  ${EXIT.server} server, connection or auth error · ${EXIT.interrupted} interrupted`,
    '',
    'Start with:',
    '  switchyard login --url http://127.0.0.1:7700 --token-file .switchyard/admin-token',
    '  switchyard task create -w local --follow "Say hello"',
    '',
  ].join('\n');
}
