import { renderLine } from '@switchyard/core';
import type { Command } from '../../command.ts';
import { taskExitCode } from '../../format/task.ts';
import { watchTask } from './watch.ts';

export const logsCommand: Command = {
  name: 'logs',
  aliases: ['log'],
  summary: "Print a task's output as a readable transcript (or raw stream-json)",
  args: 'ID',
  minArgs: 1,
  maxArgs: 1,
  description: [
    'Prints what claude said and did, rendered for people; --raw prints the stream-json lines as stored.',
    'With -f, keeps printing new lines as they arrive until the task ends, resuming after network drops without',
    'missing or repeating a line, and exits like --wait: 0 when the task completed, 1 otherwise.',
  ].join('\n'),
  options: {
    follow: { type: 'boolean', short: 'f', help: 'keep printing new output until the task ends' },
    raw: { type: 'boolean', help: 'print raw stream-json lines' },
    tail: { type: 'string', short: 'n', value: 'N', help: 'start with the last N output lines' },
  },
  examples: [
    ['Read what a task did', 'switchyard task logs tsk_0abc123def'],
    ['Watch it live until it ends', 'switchyard task logs -f tsk_0abc123def'],
    ['The last 50 raw lines, for jq', "switchyard task logs --raw -n 50 tsk_0abc123def | jq -c 'select(.type==\"result\")'"],
  ],
  async run(ctx, { args, flags }) {
    const id = args[0]!;
    const tail = flags.int('tail', { min: 1, max: 100_000 });
    const raw = flags.bool('raw');
    const client = ctx.client();
    if (flags.bool('follow')) {
      const after = tail === undefined ? 0 : Math.max(0, (await client.tasks.get(id)).lastSeq - tail);
      const done = await watchTask(ctx, id, { after, print: raw ? 'raw' : 'transcript' });
      return taskExitCode(done.status);
    }
    const text = await client.tasks.output(id, { tail });
    if (!text) {
      const task = await client.tasks.get(id);
      ctx.io.stderr.write(`No output yet: ${id} is ${task.status}.${task.status === 'queued' || task.status === 'dispatched' ? ` Follow it with 'switchyard task logs -f ${id}'.` : ''}\n`);
      return 0;
    }
    const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
    for (const line of lines) {
      if (raw) ctx.io.stdout.write(`${line}\n`);
      else for (const l of renderLine(line)) ctx.io.stdout.write(`${l}\n`);
    }
    return 0;
  },
};

