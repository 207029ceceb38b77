import type { TaskStatus, TaskView } from '@switchyard/core';
import { paint, type Paint } from './color.ts';
import { details, fit, table, type Column } from './table.ts';
import { ago, clock, duration } from './time.ts';

/** Exit code for a finished task: 0 only for completed. */
export function taskExitCode(status: TaskStatus): 0 | 1 {
  return status === 'completed' ? 0 : 1;
}

export function statusText(status: TaskStatus, p: Paint = paint(false)): string {
  switch (status) {
    case 'completed':
      return p.green(status);
    case 'failed':
    case 'lost':
      return p.red(status);
    case 'killed':
    case 'cancelled':
      return p.yellow(status);
    case 'rate_limited':
      return p.yellow(status);
    case 'running':
      return p.cyan(status);
    default:
      return status;
  }
}

export function money(usd: number | null | undefined): string {
  if (usd === null || usd === undefined) return '-';
  if (usd === 0) return '$0';
  return usd < 1 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
}

/** Where a task runs: its workspace, or the team pool it waits in. */
export function placeOf(t: TaskView): string {
  return t.workspace ?? `${t.team} (pool)`;
}

export function taskTable(tasks: readonly TaskView[], now: number, p: Paint): string {
  const cols: Column<TaskView>[] = [
    { header: 'ID', get: (t) => t.id },
    { header: 'STATUS', get: (t) => statusText(t.status, p) + (t.status === 'rate_limited' && t.rateLimitedUntil ? ` (${ago(t.rateLimitedUntil, now)})` : '') },
    { header: 'WORKSPACE', get: placeOf, max: 24 },
    { header: 'CREATED', get: (t) => ago(t.createdAt, now) },
    { header: 'DURATION', get: (t) => (t.startedAt ? duration(t.durationMs || (t.finishedAt ? Date.parse(t.finishedAt) : now) - Date.parse(t.startedAt)) : '-'), align: 'right' },
    { header: 'TURNS', get: (t) => String(t.turns.length), align: 'right' },
    { header: 'COST', get: (t) => (t.costUsd ? money(t.costUsd) : '-'), align: 'right' },
    { header: 'PROMPT', get: (t) => t.prompt, max: 60 },
  ];
  return table(tasks, cols);
}

/** The one-line verdict printed when a waited or followed task ends. */
export function summaryLine(t: TaskView, p: Paint): string {
  const ok = t.status === 'completed';
  const denied = t.permissionDenials?.length ?? 0;
  // A turn claude ended `success` while its permission mode refused tool calls did not do all it was asked.
  const mark = !ok ? p.red('✖') : denied ? p.yellow('⚠') : p.green('✔');
  const parts = [`${mark} ${statusText(t.status, p)}`, t.id];
  if (denied) parts.push(p.yellow(deniedText(denied)));
  if (t.durationMs) parts.push(duration(t.durationMs));
  if (t.costUsd) parts.push(money(t.costUsd));
  if (t.turns.length > 1) parts.push(`${t.turns.length} turns`);
  if (t.exitCode !== null && t.exitCode !== 0) parts.push(`exit ${t.exitCode}`);
  let line = parts.join(' · ');
  if (!ok && t.error) line += `\n  ${t.error.code}: ${t.error.message}`;
  return line;
}

const deniedText = (n: number): string => `${n} tool call${n === 1 ? '' : 's'} denied`;

/** A refused tool call in a line: the tool and what it was given (a path or a command when there is one). */
function denialLine(d: { toolName: string; input: unknown }): string {
  const input = (d.input ?? {}) as Record<string, unknown>;
  const what = input.file_path ?? input.command ?? input.url ?? input.pattern;
  return typeof what === 'string' ? `${d.toolName}(${fit(what, 80)})` : d.toolName;
}

/** Started to finished by the wall clock, which includes waits between follow-ups. */
function wallClock(start: string | null, end: string | null, now: number): string | null {
  return start ? duration((end ? Date.parse(end) : now) - Date.parse(start)) : null;
}

export function taskDetails(t: TaskView, now: number, p: Paint): string {
  const at = (iso: string | null) => (iso ? `${iso} (${ago(iso, now)})` : null);
  const opts = Object.entries(t.options)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`)
    .join(' ');
  const usage = t.usage;
  const tokens = usage.inputTokens || usage.outputTokens
    ? `${usage.inputTokens} in · ${usage.outputTokens} out · ${usage.cacheReadInputTokens} cache read · ${usage.cacheCreationInputTokens} cache write`
    : null;
  let out = details([
    ['ID', t.id],
    ['Status', statusText(t.status, p) + (t.rateLimitedUntil ? ` until ${clock(t.rateLimitedUntil, now)}` : '')],
    ['Workspace', placeOf(t)],
    ['Team', t.team],
    ['Workdir', t.workdir],
    ['Priority', t.priority ? String(t.priority) : null],
    ['Options', opts || null],
    ['Labels', Object.entries(t.labels).map(([k, v]) => `${k}=${v}`).join(' ') || null],
    ['Limits', [t.maxDurationSec ? `max ${duration(t.maxDurationSec * 1000)}` : '', t.idleTimeoutSec ? `idle ${duration(t.idleTimeoutSec * 1000)}` : ''].filter(Boolean).join(', ') || null],
    ['Created', at(t.createdAt)],
    ['Started', at(t.startedAt)],
    ['Finished', at(t.finishedAt)],
    ['Wall clock', wallClock(t.startedAt, t.finishedAt, now)],
    ['Claude time', t.durationMs ? `${duration(t.durationMs)} (duration_ms, summed over turns)` : null],
    ['Cost', t.costUsd ? money(t.costUsd) : null],
    ['Turns', t.turns.length > 1 ? `${t.turns.length} (the prompt and each follow-up)` : null],
    ['Model calls', t.numTurns ? `${t.numTurns} (claude's num_turns)` : null],
    ['Denied', t.permissionDenials?.length ? p.yellow(`${deniedText(t.permissionDenials.length)}: ${t.permissionDenials.map(denialLine).join(', ')}`) : null],
    ['Tokens', tokens],
    ['Exit code', t.exitCode === null ? null : String(t.exitCode)],
    ['Error', t.error ? `${t.error.code}: ${t.error.message}` : null],
    ['Attempts', t.attempts > 1 ? String(t.attempts) : null],
    ['Session', t.sessionId],
    ['Output', `${t.lastSeq} line${t.lastSeq === 1 ? '' : 's'}`],
    ['Attach', t.attach.command],
    ['Prompt', t.prompt],
    ['Result', t.result],
  ]);
  if (t.todos.length) {
    const mark = (s: string) => (s === 'completed' ? '☑' : s === 'in_progress' ? '▶' : '☐');
    out += `\nTodos${t.todoSource ? ` (${t.todoSource === 'TaskCreate' ? 'TaskCreate/TaskUpdate' : 'TodoWrite'})` : ''}:\n${t.todos.map((td) => `  ${mark(td.status)} ${td.status === 'in_progress' && td.activeForm ? td.activeForm : td.content}`).join('\n')}\n`;
  }
  if (t.turns.length > 1) {
    out += `\nTurns:\n${table(t.turns, [
      { header: '  #', get: (u) => `  ${u.n}` },
      { header: 'STATUS', get: (u) => u.status },
      { header: 'EXIT', get: (u) => (u.exitCode === null ? '-' : String(u.exitCode)) },
      { header: 'WALL', get: (u) => wallClock(u.startedAt, u.finishedAt, now) ?? '-', align: 'right' },
      { header: 'CLAUDE', get: (u) => duration(u.durationMs), align: 'right' },
      { header: 'CALLS', get: (u) => (u.numTurns === null ? '-' : String(u.numTurns)), align: 'right' },
      { header: 'DENIED', get: (u) => (u.permissionDenials?.length ? p.yellow(String(u.permissionDenials.length)) : '-'), align: 'right' },
      { header: 'COST', get: (u) => money(u.costUsd), align: 'right' },
      { header: 'PROMPT', get: (u) => fit(u.prompt, 60) },
    ])}`;
  }
  return out;
}
