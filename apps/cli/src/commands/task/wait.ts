import { isTerminal } from '@switchyard/core';
import type { Command } from '../../command.ts';
import { paint, colorWanted } from '../../format/color.ts';
import { summaryLine, taskExitCode } from '../../format/task.ts';
import { printJson } from '../../output.ts';
import { watchTask } from './watch.ts';

export const waitCommand: Command = {
  name: 'wait',
  summary: 'Wait for a task to end; print its result; exit 0 if it completed, 1 otherwise',
  args: 'ID',
  minArgs: 1,
  maxArgs: 1,
  output: true,
  examples: [
    ['Queue now, do other work, then collect the verdict', 'ID=$(switchyard task create -w local "Run the e2e suite") && … && switchyard task wait "$ID"'],
  ],
  async run(ctx, { args, output }) {
    const id = args[0]!;
    let task = await ctx.client().tasks.get(id);
    if (isTerminal(task.status)) ctx.io.stderr.write(`${summaryLine(task, paint(colorWanted(ctx.io.stderr, ctx.io.env)))}\n`);
    else task = await watchTask(ctx, id, { after: task.lastSeq, print: 'none' });
    if (output === 'json') printJson(ctx.io, task);
    else if (task.result) ctx.io.stdout.write(`${task.result}\n`);
    return taskExitCode(task.status);
  },
};
