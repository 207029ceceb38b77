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
  const parts = [`${ok ? p.green('✔') : p.red('✖')} ${statusText(t.status, p)}`, t.id];
  if (t.durationMs) parts.push(duration(t.durationMs));
  if (t.costUsd) parts.push(money(t.costUsd));
  if (t.turns.length > 1) parts.push(`${t.turns.length} turns`);
  if (t.exitCode !== null && t.exitCode !== 0) parts.push(`exit ${t.exitCode}`);
  let line = parts.join(' · ');
  if (!ok && t.error) line += `\n  ${t.error.code}: ${t.error.message}`;
  return line;
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
    ['Duration', t.durationMs ? duration(t.durationMs) : null],
    ['Cost', t.costUsd ? money(t.costUsd) : null],
    ['Claude turns', t.numTurns ? String(t.numTurns) : null],
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
    out += `\nTodos:\n${t.todos.map((td) => `  ${mark(td.status)} ${td.status === 'in_progress' && td.activeForm ? td.activeForm : td.content}`).join('\n')}\n`;
  }
  if (t.turns.length > 1) {
    out += `\nTurns:\n${table(t.turns, [
      { header: '  #', get: (u) => `  ${u.n}` },
      { header: 'STATUS', get: (u) => u.status },
      { header: 'EXIT', get: (u) => (u.exitCode === null ? '-' : String(u.exitCode)) },
      { header: 'DURATION', get: (u) => duration(u.durationMs), align: 'right' },
      { header: 'COST', get: (u) => money(u.costUsd), align: 'right' },
      { header: 'PROMPT', get: (u) => fit(u.prompt, 60) },
    ])}`;
  }
  return out;
}
