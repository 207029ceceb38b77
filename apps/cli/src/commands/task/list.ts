import { TASK_STATUSES, type TaskStatus } from '@switchyard/core';
import type { Command } from '../../command.ts';
import { UsageError } from '../../errors.ts';
import { paint } from '../../format/color.ts';
import { taskTable } from '../../format/task.ts';
import { printJson } from '../../output.ts';

export const listCommand: Command = {
  name: 'list',
  aliases: ['ls'],
  summary: 'List tasks, newest first',
  options: {
    status: { type: 'string', short: 's', multiple: true, value: 'STATUS', help: `only these statuses, comma-separated or repeated (${TASK_STATUSES.join(', ')}); "active" and "done" are shorthands` },
    workspace: { type: 'string', short: 'w', value: 'NAME', help: 'only tasks of this workspace' },
    team: { type: 'string', short: 't', value: 'NAME', help: 'only tasks of this team' },
    limit: { type: 'string', value: 'N', help: 'at most N tasks (1-500, default 50)' },
    cursor: { type: 'string', value: 'CURSOR', help: 'the next page, as printed after a full page' },
  },
  output: true,
  examples: [
    ['What is running or waiting', 'switchyard task list --status active'],
    ['Failures of one workspace', 'switchyard task list -w local -s failed,lost'],
    ['Ids of the last 10 tasks, for scripts', "switchyard task list --limit 10 -o json | jq -r '.tasks[].id'"],
  ],
  async run(ctx, { flags, output }) {
    const statuses = expandStatuses(flags.list('status'));
    const limit = flags.int('limit', { min: 1, max: 500 });
    const page = await ctx.client().tasks.list({ status: statuses, workspace: flags.string('workspace'), team: flags.string('team'), limit, cursor: flags.string('cursor') });
    if (output === 'json') {
      printJson(ctx.io, page);
      return 0;
    }
    if (page.tasks.length === 0) ctx.io.stderr.write('No tasks found.\n');
    else ctx.io.stdout.write(taskTable(page.tasks, ctx.io.now(), paint(ctx.color)));
    if (page.nextCursor) ctx.io.stderr.write(`More tasks: add --cursor ${page.nextCursor}\n`);
    return 0;
  },
};

const SHORTHANDS: Record<string, readonly TaskStatus[]> = {
  active: ['queued', 'dispatched', 'running', 'rate_limited'],
  done: ['completed', 'failed', 'killed', 'lost', 'cancelled'],
};

/** Statuses from --status, with the shorthands expanded; a usage error for unknown ones. */
export function expandStatuses(given: string[] | undefined): TaskStatus[] | undefined {
  if (!given) return undefined;
  const out = new Set<TaskStatus>();
  for (const s of given) {
    const expanded = SHORTHANDS[s] ?? [s];
    for (const x of expanded) {
      if (!(TASK_STATUSES as readonly string[]).includes(x)) {
        throw new UsageError(`unknown status "${s}"; use ${TASK_STATUSES.join(', ')}, active or done`);
      }
      out.add(x as TaskStatus);
    }
  }
  return [...out];
}
