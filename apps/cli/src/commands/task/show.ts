import type { Command } from '../../command.ts';
import { paint } from '../../format/color.ts';
import { taskDetails } from '../../format/task.ts';
import { printJson } from '../../output.ts';

export const showCommand: Command = {
  name: 'show',
  aliases: ['get', 'describe'],
  summary: 'Show a task: status, result, cost, turns, todos, how to attach',
  args: 'ID',
  minArgs: 1,
  maxArgs: 1,
  output: true,
  examples: [
    ['Everything about one task', 'switchyard task show tsk_0abc123def'],
    ['Just the result text', "switchyard task show tsk_0abc123def -o json | jq -r .result"],
  ],
  async run(ctx, { args, output }) {
    const task = await ctx.client().tasks.get(args[0]!);
    if (output === 'json') printJson(ctx.io, task);
    else ctx.io.stdout.write(taskDetails(task, ctx.io.now(), paint(ctx.color)));
    return 0;
  },
};
