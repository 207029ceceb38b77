import type { Command } from '../../command.ts';
import { UsageError } from '../../errors.ts';
import { taskExitCode } from '../../format/task.ts';
import { printJson } from '../../output.ts';
import { readPrompt } from './prompt.ts';
import { watchTask } from './watch.ts';

export const sendCommand: Command = {
  name: 'send',
  aliases: ['message'],
  summary: 'Send a follow-up message: the next turn of the conversation (claude --resume)',
  args: 'ID PROMPT|-',
  minArgs: 2,
  maxArgs: Infinity,
  description: [
    'Queues the next turn of the task with the same Claude session. A finished task goes back to queued; a running',
    'one takes the message when its current turn ends. --wait and --follow wait for this new turn.',
  ].join('\n'),
  options: {
    wait: { type: 'boolean', help: 'wait for the turn to end; print the result; exit 0/1 like the task' },
    follow: { type: 'boolean', short: 'f', help: 'stream the transcript of the turn live; exit 0/1 like the task' },
    raw: { type: 'boolean', help: 'with --follow: print raw stream-json lines' },
  },
  output: true,
  examples: [
    ['Ask for more', 'switchyard task send tsk_0abc123def "Now add a test for it"'],
    ['Send and watch the answer', 'switchyard task send -f tsk_0abc123def "Open a PR with these changes"'],
    ['Message from a file', 'switchyard task send tsk_0abc123def - < followup.md'],
  ],
  async run(ctx, { args, flags, output }) {
    const [id, ...rest] = args as [string, ...string[]];
    const follow = flags.bool('follow');
    const wait = flags.bool('wait') || follow;
    if (follow && output === 'json') throw new UsageError('--follow prints a transcript, not JSON', 'Use --follow --raw for stream-json, or --wait -o json.');
    if (flags.bool('raw') && !follow) throw new UsageError('--raw goes with --follow');
    const prompt = await readPrompt(ctx, rest);
    const before = follow ? await ctx.client().tasks.get(id) : null;
    const task = await ctx.client().tasks.send(id, prompt);
    const turn = Math.max(...task.turns.map((t) => t.n));
    ctx.io.stderr.write(`sent turn ${turn} to ${task.id} (${task.status})\n`);
    if (!wait) {
      if (output === 'json') printJson(ctx.io, task);
      else ctx.io.stdout.write(`${task.id}\n`);
      return 0;
    }
    const done = await watchTask(ctx, id, {
      after: before?.lastSeq ?? task.lastSeq,
      untilTurn: turn,
      print: follow ? (flags.bool('raw') ? 'raw' : 'transcript') : 'none',
    });
    if (output === 'json') printJson(ctx.io, done);
    else if (!follow) {
      const result = done.turns.find((t) => t.n === turn)?.result ?? done.result;
      if (result) ctx.io.stdout.write(`${result}\n`);
    }
    return taskExitCode(done.status);
  },
};
