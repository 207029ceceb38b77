import type { ApprovalView } from '@switchyard/core';
import type { Command, Ctx } from '../command.ts';
import { UsageError } from '../errors.ts';
import { table } from '../format/table.ts';
import { ago } from '../format/time.ts';
import { printJson } from '../output.ts';

/** One line of what a tool call would do: the command, the file, the URL, else its input. */
export function approvalSummary(a: Pick<ApprovalView, 'toolName' | 'input'>): string {
  const i = a.input;
  const pick = [i.command, i.file_path, i.notebook_path, i.url, i.path, i.pattern].find((v) => typeof v === 'string');
  return typeof pick === 'string' ? pick : JSON.stringify(i);
}

function approvalTable(rows: ApprovalView[], now: number): string {
  return table(rows, [
    { header: 'ID', get: (a) => a.id },
    { header: 'TASK', get: (a) => a.taskId },
    { header: 'WORKSPACE', get: (a) => a.workspace ?? '' },
    { header: 'TOOL', get: (a) => a.toolName },
    { header: 'INPUT', get: (a) => approvalSummary(a), max: 60 },
    { header: 'STATUS', get: (a) => a.status },
    { header: 'ASKED', get: (a) => ago(a.createdAt, now) },
  ]);
}

export const approvalsCommand: Command = {
  name: 'approvals',
  summary: 'List tool calls waiting for an answer (approve or deny them)',
  options: {
    task: { type: 'string', value: 'ID', help: 'only those of this task' },
    workspace: { type: 'string', short: 'w', value: 'NAME', help: 'only those of this workspace' },
    team: { type: 'string', short: 't', value: 'NAME', help: 'only those of this team' },
    all: { type: 'boolean', help: 'answered, expired and closed ones too, not only pending' },
  },
  output: true,
  examples: [
    ['What waits on you', 'switchyard approvals'],
    ['Everything one task asked, answered or not', 'switchyard approvals --task tsk_0abc123def --all'],
  ],
  async run(ctx, { flags, output }) {
    const rows = await ctx.client().approvals({
      status: flags.bool('all') ? undefined : 'pending',
      task: flags.string('task'),
      workspace: flags.string('workspace'),
      team: flags.string('team'),
    });
    if (output === 'json') {
      printJson(ctx.io, { approvals: rows });
      return 0;
    }
    if (rows.length === 0) ctx.io.stderr.write(flags.bool('all') ? 'No approvals found.\n' : 'Nothing waits for an answer.\n');
    else ctx.io.stdout.write(approvalTable(rows, ctx.io.now()));
    return 0;
  },
};

function parseInput(raw: string | undefined): Record<string, unknown> | undefined {
  if (raw === undefined) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    throw new UsageError('--input must be a JSON object, e.g. \'{"command":"npm test"}\'');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new UsageError('--input must be a JSON object');
  return v as Record<string, unknown>;
}

function printAnswered(ctx: Ctx, a: ApprovalView, output: string): void {
  if (output === 'json') return printJson(ctx.io, a);
  const what = a.status === 'allowed' ? `allowed${a.decision === 'allow_for_task' ? ` (and ${a.rule} for the rest of the task)` : ''}` : `denied: ${a.message ?? ''}`;
  ctx.io.stdout.write(`${a.id}: ${what}\n`);
}

export const approveCommand: Command = {
  name: 'approve',
  summary: 'Allow a tool call claude is waiting on',
  args: 'ID',
  minArgs: 1,
  maxArgs: 1,
  options: {
    'for-task': { type: 'boolean', help: 'also allow later calls like it for the rest of the task (the tool, or Bash(<first word>:*))' },
    input: { type: 'string', value: 'JSON', help: 'run the call with this input instead (a JSON object)' },
  },
  output: true,
  examples: [
    ['Allow once', 'switchyard approve apr_0abc123def'],
    ['Allow every npm command of this task', 'switchyard approve apr_0abc123def --for-task'],
    ['Allow, edited', `switchyard approve apr_0abc123def --input '{"command":"npm test -- --run"}'`],
  ],
  async run(ctx, { args, flags, output }) {
    const updatedInput = parseInput(flags.string('input'));
    const decision = flags.bool('for-task') ? 'allow_for_task' : 'allow_once';
    const a = await ctx.client().answerApproval(args[0]!, { decision, ...(updatedInput ? { updatedInput } : {}) });
    printAnswered(ctx, a, output);
    return 0;
  },
};

export const denyCommand: Command = {
  name: 'deny',
  summary: 'Refuse a tool call claude is waiting on, with a message claude reads',
  args: 'ID',
  minArgs: 1,
  maxArgs: 1,
  options: {
    message: { type: 'string', short: 'm', value: 'TEXT', help: 'what claude reads: why, and what to do instead' },
  },
  output: true,
  examples: [['Refuse, saying what to do instead', "switchyard deny apr_0abc123def --message 'use the staging cluster'"]],
  async run(ctx, { args, flags, output }) {
    const message = flags.string('message');
    const a = await ctx.client().answerApproval(args[0]!, { decision: 'deny', ...(message ? { message } : {}) });
    printAnswered(ctx, a, output);
    return 0;
  },
};
