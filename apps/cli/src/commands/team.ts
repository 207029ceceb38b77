import type { Quota, TeamUsage, TeamView } from '@switchyard/core';
import type { Command, Flags, Group } from '../command.ts';
import { money } from '../format/task.ts';
import { table } from '../format/table.ts';
import { ago } from '../format/time.ts';
import { printJson } from '../output.ts';

const limitText = (v: number | null, usd = false) => (v === null ? 'unlimited' : usd ? money(v) : String(v));

function teamTable(rows: TeamView[], now: number): string {
  return table(rows, [
    { header: 'NAME', get: (t) => t.name },
    { header: 'ID', get: (t) => t.id },
    { header: 'MAX RUNNING', get: (t) => limitText(t.quota.maxRunning), align: 'right' },
    { header: 'MAX QUEUED', get: (t) => limitText(t.quota.maxQueued), align: 'right' },
    { header: 'TASKS/DAY', get: (t) => limitText(t.quota.tasksPerDay), align: 'right' },
    { header: 'BUDGET/MONTH', get: (t) => limitText(t.quota.monthlyBudgetUsd, true), align: 'right' },
    { header: 'AGE', get: (t) => ago(t.createdAt, now).replace(' ago', '') },
  ]);
}

function usageTable(u: TeamUsage): string {
  const rows: Array<[string, { current: number; limit: number | null }, boolean]> = [
    ['running', u.running, false],
    ['queued', u.queued, false],
    ['tasks today', u.tasksToday, false],
    ['spend this month', u.monthSpendUsd, true],
  ];
  return table(rows, [
    { header: 'LIMIT', get: ([name]) => name },
    { header: 'CURRENT', get: ([, l, usd]) => (usd ? money(l.current) : String(l.current)), align: 'right' },
    { header: 'MAX', get: ([, l, usd]) => limitText(l.limit, usd), align: 'right' },
    { header: 'USED', get: ([, l]) => (l.limit === null ? '-' : l.limit === 0 ? 'blocked' : `${Math.round((100 * l.current) / l.limit)}%`), align: 'right' },
  ]);
}

const list: Command = {
  name: 'list',
  aliases: ['ls'],
  summary: 'List teams and their quotas',
  output: true,
  examples: [['All teams', 'switchyard team list']],
  async run(ctx, { output }) {
    const teams = await ctx.client().teams.list();
    if (output === 'json') printJson(ctx.io, { teams });
    else if (teams.length === 0) ctx.io.stderr.write("No teams. Create one with 'switchyard team create NAME'.\n");
    else ctx.io.stdout.write(teamTable(teams, ctx.io.now()));
    return 0;
  },
};

const create: Command = {
  name: 'create',
  summary: 'Create a team (admin)',
  args: 'NAME',
  minArgs: 1,
  maxArgs: 1,
  output: true,
  examples: [['A team for the backend developers', 'switchyard team create backend']],
  async run(ctx, { args, output }) {
    const team = await ctx.client().teams.create(args[0]!);
    if (output === 'json') printJson(ctx.io, team);
    else ctx.io.stdout.write(`created team ${team.name} (${team.id})\n`);
    return 0;
  },
};

const QUOTA_FLAGS: Record<keyof Quota, string> = {
  maxRunning: 'max-running',
  maxQueued: 'max-queued',
  tasksPerDay: 'tasks-per-day',
  monthlyBudgetUsd: 'monthly-budget',
};

/** A limit flag: a number, or `none`/`unlimited` for no limit. */
function limitFlag(flags: Flags, name: string, usd: boolean): number | null | undefined {
  const s = flags.string(name);
  if (s === undefined) return undefined;
  if (s === 'none' || s === 'unlimited') return null;
  return usd ? flags.number(name, { min: 0 }) : flags.int(name, { min: 0 });
}

const quota: Command = {
  name: 'quota',
  summary: "Show or change a team's quota (admin to change); 'none' lifts a limit",
  args: 'TEAM',
  minArgs: 1,
  maxArgs: 1,
  description: 'Without flags, shows the quota. Flags change only the limits they name; the rest stay as they are.',
  options: {
    'max-running': { type: 'string', value: 'N|none', help: 'tasks running at once across the team (more wait in the queue)' },
    'max-queued': { type: 'string', value: 'N|none', help: 'tasks waiting at once (more are refused with 429)' },
    'tasks-per-day': { type: 'string', value: 'N|none', help: 'tasks created per day (UTC)' },
    'monthly-budget': { type: 'string', value: 'USD|none', help: 'spend per month in USD, from the results of tasks' },
  },
  output: true,
  examples: [
    ["See a team's limits", 'switchyard team quota backend'],
    ['Four at a time, $500 a month', 'switchyard team quota backend --max-running 4 --monthly-budget 500'],
    ['Lift the daily limit', 'switchyard team quota backend --tasks-per-day none'],
  ],
  async run(ctx, { args, flags, output }) {
    const client = ctx.client();
    const team = await client.teams.get(args[0]!);
    const changes: Partial<Quota> = {};
    for (const [key, flag] of Object.entries(QUOTA_FLAGS) as Array<[keyof Quota, string]>) {
      const v = limitFlag(flags, flag, key === 'monthlyBudgetUsd');
      if (v !== undefined) changes[key] = v;
    }
    const updated = Object.keys(changes).length ? await client.teams.setQuota(team.id, { ...team.quota, ...changes }) : team;
    if (output === 'json') printJson(ctx.io, updated);
    else {
      const q = updated.quota;
      if (Object.keys(changes).length) ctx.io.stderr.write(`updated the quota of team ${updated.name}\n`);
      ctx.io.stdout.write(table(Object.entries(QUOTA_FLAGS) as Array<[keyof Quota, string]>, [
        { header: 'LIMIT', get: ([, f]) => f },
        { header: 'VALUE', get: ([k]) => limitText(q[k], k === 'monthlyBudgetUsd'), align: 'right' },
      ]));
    }
    return 0;
  },
};

const usage: Command = {
  name: 'usage',
  summary: "A team's use of its quota right now",
  args: 'TEAM',
  minArgs: 1,
  maxArgs: 1,
  output: true,
  examples: [['How close is the team to its limits?', 'switchyard team usage backend']],
  async run(ctx, { args, output }) {
    const u = await ctx.client().teams.usage(args[0]!);
    if (output === 'json') printJson(ctx.io, u);
    else {
      ctx.io.stdout.write(usageTable(u));
      if (u.rateLimitedUntil) ctx.io.stdout.write(`\nrate limited until ${u.rateLimitedUntil} (${ago(u.rateLimitedUntil, ctx.io.now())})\n`);
    }
    return 0;
  },
};

export const teamGroup: Group = {
  name: 'team',
  aliases: ['teams'],
  summary: 'Teams: quotas and usage',
  commands: [list, create, quota, usage],
};

