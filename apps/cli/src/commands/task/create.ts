import { EFFORT_LEVELS, PERMISSION_MODES, TaskCreateSchema, type TaskCreate } from '@switchyard/core';
import type { Command } from '../../command.ts';
import { UsageError } from '../../errors.ts';
import { placeOf, taskExitCode } from '../../format/task.ts';
import { printJson } from '../../output.ts';
import { readPrompt } from './prompt.ts';
import { watchTask } from './watch.ts';

/** TaskCreate fields by the flag that sets them, so server-side names never reach users. */
const FLAG_OF: Record<string, string> = {
  prompt: 'PROMPT',
  workspace: '--workspace',
  team: '--team',
  workdir: '--workdir',
  priority: '--priority',
  labels: '--label',
  model: '--model',
  fallbackModel: '--fallback-model',
  effort: '--effort',
  jsonSchema: '--json-schema',
  permissionMode: '--permission-mode',
  allowedTools: '--allowed-tools',
  disallowedTools: '--disallowed-tools',
  maxTurns: '--max-turns',
  maxBudgetUsd: '--max-budget-usd',
  appendSystemPrompt: '--append-system-prompt',
  maxDurationSec: '--max-duration',
  idleTimeoutSec: '--idle-timeout',
};

export const createCommand: Command = {
  name: 'create',
  summary: 'Queue a Claude Code task in a workspace or team pool',
  args: 'PROMPT|-',
  minArgs: 1,
  maxArgs: Infinity,
  description: [
    'Queues one conversation with Claude Code. PROMPT is the rest of the line (quote it), or - to read it from stdin.',
    'Prints the task id on stdout. With --wait, waits for the end and prints the result; with --follow, streams the',
    'readable transcript as it happens. Both exit 0 when the task completed and 1 when it failed, was killed, lost or',
    'cancelled. Ctrl-C stops waiting; the task keeps running.',
    '',
    'Without --workspace or --team, the task goes to $SWITCHYARD_WORKSPACE, else to the default workspace of your token.',
  ].join('\n'),
  options: {
    workspace: { type: 'string', short: 'w', value: 'NAME', help: 'workspace to run in (name or id)' },
    team: { type: 'string', short: 't', value: 'NAME', help: "any ready pool workspace of this team" },
    workdir: { type: 'string', short: 'C', value: 'DIR', help: 'absolute directory to run claude in (default: the first allowed root)' },
    model: { type: 'string', short: 'm', value: 'MODEL', help: 'claude --model (alias or full name)' },
    'fallback-model': { type: 'string', value: 'MODELS', help: 'claude --fallback-model: models to fall back to, comma-separated, in order' },
    effort: { type: 'string', value: 'LEVEL', help: `claude --effort: ${EFFORT_LEVELS.join('|')}` },
    'json-schema': { type: 'string', value: 'JSON', help: 'a JSON Schema the result must follow; the task shows it as structuredOutput' },
    'permission-mode': { type: 'string', value: 'MODE', help: PERMISSION_MODES.join('|') },
    'allowed-tools': { type: 'string', multiple: true, value: 'TOOLS', help: 'tools claude may use, comma-separated or repeated, e.g. "Bash(git *),Read"' },
    'disallowed-tools': { type: 'string', multiple: true, value: 'TOOLS', help: 'tools claude may not use' },
    'max-turns': { type: 'string', value: 'N', help: 'claude --max-turns' },
    'max-budget-usd': { type: 'string', value: 'USD', help: 'stop the task when it has cost this much' },
    'append-system-prompt': { type: 'string', value: 'TEXT', help: 'claude --append-system-prompt' },
    'max-duration': { type: 'string', value: 'DUR', help: 'kill the turn after this long (90s, 30m, 2h)' },
    'idle-timeout': { type: 'string', value: 'DUR', help: 'kill the turn when claude is silent this long' },
    priority: { type: 'string', short: 'p', value: 'N', help: '0-1000, higher runs first (default 0)' },
    label: { type: 'string', short: 'l', multiple: true, value: 'K=V', help: 'a label' },
    'idempotency-key': { type: 'string', value: 'KEY', help: 'create at most once per key (safe CI retries)' },
    wait: { type: 'boolean', help: 'wait for the end; print the result; exit 0/1 like the task' },
    follow: { type: 'boolean', short: 'f', help: 'stream the transcript live; exit 0/1 like the task' },
    raw: { type: 'boolean', help: 'with --follow: print raw stream-json lines' },
  },
  output: true,
  examples: [
    ['Queue a task and get its id', 'switchyard task create -w local -C /src/app "Fix the failing test in api/"'],
    ['Run it and watch it live; exit code follows the task', 'switchyard task create -w local -C /src/app --follow "Upgrade zod to v4"'],
    ['From CI: prompt from a file, retry-safe, wait for the verdict', 'switchyard task create -t backend --wait --idempotency-key "$CI_PIPELINE_ID-review" - < review-prompt.md'],
    ['Restrict tools and cap the run', 'switchyard task create -w local --allowed-tools "Read,Grep,Bash(npm test)" --max-turns 20 --max-duration 30m "Why is CI red?"'],
  ],
  async run(ctx, { args, flags, output }) {
    const follow = flags.bool('follow');
    const wait = flags.bool('wait') || follow;
    if (follow && output === 'json') throw new UsageError('--follow prints a transcript, not JSON', 'Use --follow --raw for stream-json, or --wait -o json for the final task as JSON.');
    if (flags.bool('raw') && !follow) throw new UsageError('--raw goes with --follow');
    const team = flags.string('team');
    const body: TaskCreate = {
      prompt: await readPrompt(ctx, args),
      workspace: flags.string('workspace') ?? (team ? undefined : ctx.io.env.SWITCHYARD_WORKSPACE || undefined),
      team,
      workdir: flags.string('workdir'),
      priority: flags.int('priority', { min: 0, max: 1000 }),
      labels: flags.pairs('label'),
      model: flags.string('model'),
      fallbackModel: flags.string('fallback-model'),
      effort: flags.choice('effort', EFFORT_LEVELS),
      jsonSchema: parseJsonFlag('json-schema', flags.string('json-schema')),
      permissionMode: flags.choice('permission-mode', PERMISSION_MODES),
      allowedTools: flags.list('allowed-tools'),
      disallowedTools: flags.list('disallowed-tools'),
      maxTurns: flags.int('max-turns', { min: 1 }),
      maxBudgetUsd: flags.number('max-budget-usd', { min: 0 }),
      appendSystemPrompt: flags.string('append-system-prompt'),
      maxDurationSec: flags.duration('max-duration'),
      idleTimeoutSec: flags.duration('idle-timeout'),
    };
    for (const k of Object.keys(body) as Array<keyof TaskCreate>) if (body[k] === undefined) delete body[k];
    const checked = TaskCreateSchema.safeParse(body);
    if (!checked.success) {
      const issue = checked.error.issues[0]!;
      const field = String(issue.path[0] ?? '');
      throw new UsageError(`${FLAG_OF[field] ?? field}: ${issue.message}`);
    }

    const { task, replayed } = await ctx.client().tasks.create(body, { idempotencyKey: flags.string('idempotency-key') });
    const { io } = ctx;
    const where = placeOf(task);
    if (replayed) io.stderr.write(`${task.id} already exists for this idempotency key (${task.status} in ${where})\n`);
    else io.stderr.write(`created ${task.id} (${task.status} in ${where})\n`);

    if (!wait) {
      if (output === 'json') printJson(io, task);
      else {
        io.stdout.write(`${task.id}\n`);
        if (io.stderr.isTTY) io.stderr.write(`follow it with: switchyard task logs -f ${task.id}\n`);
      }
      return 0;
    }
    const done = await watchTask(ctx, task.id, { after: follow ? 0 : task.lastSeq, print: follow ? (flags.bool('raw') ? 'raw' : 'transcript') : 'none' });
    if (output === 'json') printJson(io, done);
    else if (!follow && done.result) io.stdout.write(`${done.result}\n`);
    return taskExitCode(done.status);
  },
};

/** A flag holding a JSON object, or undefined; a usage error names the flag when it is not one. */
function parseJsonFlag(name: string, value: string | undefined): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (err) {
    throw new UsageError(`--${name}: not JSON (${(err as Error).message})`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new UsageError(`--${name}: must be a JSON object`);
  return parsed as Record<string, unknown>;
}
