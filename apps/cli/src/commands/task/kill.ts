import { isTerminal, type TaskView } from '@switchyard/core';
import type { Command } from '../../command.ts';
import { explain } from '../../explain.ts';
import { EXIT } from '../../errors.ts';
import { printJson } from '../../output.ts';
import { watchTask } from './watch.ts';

export const killCommand: Command = {
  name: 'kill',
  aliases: ['cancel', 'stop'],
  summary: 'Stop tasks: cancelled if not started, else SIGINT then SIGKILL after 10 s',
  args: 'ID...',
  minArgs: 1,
  maxArgs: Infinity,
  options: {
    wait: { type: 'boolean', help: 'wait until each task has ended' },
  },
  output: true,
  examples: [
    ['Stop a task', 'switchyard task kill tsk_0abc123def'],
    ['Stop everything queued in a workspace', "switchyard task list -w local -s queued -o json | jq -r '.tasks[].id' | xargs switchyard task kill"],
  ],
  async run(ctx, { args, flags, output }) {
    const client = ctx.client();
    const results: TaskView[] = [];
    let code: number = EXIT.ok;
    for (const id of args) {
      try {
        let task = await client.tasks.kill(id);
        if (flags.bool('wait') && !isTerminal(task.status)) task = await watchTask(ctx, id, { after: task.lastSeq, print: 'none' });
        results.push(task);
        if (output === 'table') ctx.io.stdout.write(`${id}: ${verdict(task)}\n`);
      } catch (err) {
        // One bad id does not stop the others; the exit code says something failed.
        const e = explain(err, ctx.target(), 'task kill');
        ctx.io.stderr.write(`${id}: error: ${e.message}\n`);
        code = Math.max(code, e.exitCode);
      }
    }
    if (output === 'json') printJson(ctx.io, args.length === 1 ? (results[0] ?? null) : results);
    return code;
  },
};

function verdict(t: TaskView): string {
  switch (t.status) {
    case 'cancelled':
      return 'cancelled';
    case 'killed':
      return 'killed';
    case 'running':
      return 'kill requested; it stops within about 10 s';
    default:
      return isTerminal(t.status) ? `already ${t.status}` : `kill requested (${t.status})`;
  }
}
