import type { AgentView } from '@switchyard/core';
import type { Command, Group } from '../command.ts';
import { paint } from '../format/color.ts';
import { table } from '../format/table.ts';
import { ago } from '../format/time.ts';
import { printJson } from '../output.ts';

function agentTable(rows: AgentView[], now: number, color: boolean): string {
  const p = paint(color);
  return table(rows, [
    { header: 'ID', get: (a) => a.id },
    { header: 'WORKSPACE', get: (a) => a.workspace },
    { header: 'HOST', get: (a) => a.hostname, max: 30 },
    { header: 'STATUS', get: (a) => (a.online ? p.green('online') : p.red('offline')) },
    { header: 'SLOTS', get: (a) => `${a.freeSlots}/${a.slots} free`, align: 'right' },
    { header: 'CLAUDE', get: (a) => (a.simulated ? 'claude-sim' : (a.claudeVersion ?? 'missing')), max: 28 },
    { header: 'VERSION', get: (a) => a.agentVersion },
    { header: 'LAST SEEN', get: (a) => ago(a.lastSeenAt, now) },
    { header: 'PROBLEMS', get: (a) => a.problems.join('; '), max: 60 },
  ]);
}

const list: Command = {
  name: 'list',
  aliases: ['ls'],
  summary: 'List agents: online or not, slots, claude version, problems',
  options: {
    workspace: { type: 'string', short: 'w', value: 'NAME', help: 'only the agents of this workspace' },
    offline: { type: 'boolean', help: 'only agents that are offline' },
  },
  output: true,
  examples: [
    ['The whole fleet', 'switchyard agent list'],
    ['Agents that stopped calling in', 'switchyard agent list --offline'],
  ],
  async run(ctx, { flags, output }) {
    const ws = flags.string('workspace');
    const agents = (await ctx.client().agents.list()).filter((a) => (!ws || a.workspace === ws) && (!flags.bool('offline') || !a.online));
    if (output === 'json') printJson(ctx.io, { agents });
    else if (agents.length === 0) ctx.io.stderr.write('No agents found.\n');
    else ctx.io.stdout.write(agentTable(agents, ctx.io.now(), ctx.color));
    return 0;
  },
};

export const agentGroup: Group = {
  name: 'agent',
  aliases: ['agents'],
  summary: 'Agents: the daemons in workspace pods',
  commands: [list],
};
