/**
 * The agent trusts nothing in a lease: before it spawns, every value that reaches claude is
 * checked for what it may be, and the workspace ceiling the lease carries is enforced again.
 * A refusal becomes the turn's `spawn_failed` reason.
 */
import { EFFORT_LEVELS, PERMISSION_MODES, TOOL_RULE_PATTERN, type Lease, type LeaseCeiling } from '@switchyard/core';
import { resolveWorkdir } from './workdir.ts';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
const MODEL = /^[A-Za-z0-9._:[\]][A-Za-z0-9._:[\]-]{0,99}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The bare tool name of a rule: `Bash` of `Bash(git log:*)`. */
const toolName = (rule: string) => rule.replace(/\(.*$/s, '');

/**
 * Why `rule` is not one tool rule, or null: core's pattern, which claude cannot split into
 * several rules (no parentheses inside the spec, nothing outside them but the name).
 */
export function toolRuleProblem(rule: unknown): string | null {
  if (typeof rule !== 'string' || rule.length > 512) return 'not a string of at most 512 characters';
  if (CONTROL.test(rule)) return 'a control character';
  return TOOL_RULE_PATTERN.test(rule) ? null : 'not Name or Name(spec) with no parentheses inside the spec';
}

function rulesProblem(field: string, rules: unknown): string | null {
  if (rules === undefined) return null;
  if (!Array.isArray(rules) || rules.length > 200) return `${field} is not a list of at most 200 tool rules`;
  for (const rule of rules) {
    const problem = toolRuleProblem(rule);
    if (problem) return `${field} item ${JSON.stringify(rule)} is not a tool rule (${problem})`;
  }
  return null;
}

/** Why the options of the lease may not reach claude, or null. */
function optionsProblem(o: Lease['options']): string | null {
  for (const field of ['model', 'fallbackModel'] as const) {
    const v: unknown = o[field];
    const names = typeof v === 'string' ? v.split(',') : [v];
    if (v !== undefined && !names.every((n) => typeof n === 'string' && MODEL.test(n))) return `${field} ${JSON.stringify(v)} is not a model name`;
  }
  if (o.effort !== undefined && !(EFFORT_LEVELS as readonly unknown[]).includes(o.effort)) return `effort ${JSON.stringify(o.effort)} is not one of ${EFFORT_LEVELS.join(', ')}`;
  if (o.jsonSchema !== undefined && (typeof o.jsonSchema !== 'object' || o.jsonSchema === null || Array.isArray(o.jsonSchema))) return 'jsonSchema is not a JSON object';
  const mode: unknown = o.permissionMode;
  if (mode !== undefined && !(PERMISSION_MODES as readonly unknown[]).includes(mode)) {
    return `permission mode ${JSON.stringify(mode)} is not one of ${PERMISSION_MODES.join(', ')}`;
  }
  const lists = rulesProblem('allowedTools', o.allowedTools) ?? rulesProblem('disallowedTools', o.disallowedTools);
  if (lists) return lists;
  if (o.maxTurns !== undefined && !(Number.isInteger(o.maxTurns) && o.maxTurns >= 1)) return 'maxTurns is not a positive integer';
  if (o.maxBudgetUsd !== undefined && !(Number.isFinite(o.maxBudgetUsd) && o.maxBudgetUsd > 0)) return 'maxBudgetUsd is not a positive number';
  const append: unknown = o.appendSystemPrompt;
  if (append !== undefined && (typeof append !== 'string' || append.includes('\u0000'))) return 'appendSystemPrompt holds a NUL character';
  return null;
}

/** Why the task's options go past the workspace ceiling, or null. */
function ceilingProblem(o: Lease['options'], ceiling: LeaseCeiling): string | null {
  const bad = rulesProblem('the ceiling’s allowedTools', ceiling.allowedTools ?? undefined) ?? rulesProblem('the ceiling’s disallowedTools', ceiling.disallowedTools);
  if (bad) return bad;
  const mode = o.permissionMode ?? 'default';
  if (!ceiling.permissionModes.includes(mode)) {
    return `permission mode ${mode} is not allowed in this workspace (allowed: ${ceiling.permissionModes.join(', ')})`;
  }
  if (ceiling.allowedTools) {
    const ceilingRules = new Set(ceiling.allowedTools);
    for (const rule of o.allowedTools ?? []) {
      if (!ceilingRules.has(rule) && !ceilingRules.has(toolName(rule))) {
        return `allowed tool ${rule} is not covered by the workspace's allowed tools (${ceiling.allowedTools.join(', ')})`;
      }
    }
  }
  return null;
}

/** Why the workspace's admin-only options may not reach claude, or null. */
function workspaceOptionsProblem(w: NonNullable<Lease['workspaceOptions']>, roots: string[]): string | null {
  const isObject = (v: unknown) => v === null || v === undefined || (typeof v === 'object' && !Array.isArray(v));
  if (!isObject(w.mcpConfig) || !isObject(w.settings)) return 'the workspace mcpConfig or settings is not a JSON object';
  if (w.systemPrompt != null && (typeof w.systemPrompt !== 'string' || w.systemPrompt.includes('\u0000'))) return 'the workspace systemPrompt holds a NUL character';
  for (const dir of w.addDirs ?? []) {
    const where = resolveWorkdir(String(dir), roots);
    if ('problem' in where) return `addDirs: ${where.problem.replace(/^workdir /, '')}`;
  }
  return null;
}

/** Why this lease may not be run as it is, or null when claude may be spawned for it. */
/** What claude (2.1.332) says, and exits 1 for, when asked to bypass permissions as root. */
export const ROOT_BYPASS_PROBLEM =
  'claude refuses bypassPermissions when run as root ("cannot be used with root/sudo privileges"); run the agent as another user, or give the task another permission mode';

export function leaseProblem(lease: Lease, roots: string[], uid: number | undefined = process.getuid?.()): string | null {
  if (typeof lease.sessionId !== 'string' || !UUID.test(lease.sessionId)) return `session id ${JSON.stringify(lease.sessionId)} is not a UUID`;
  if (typeof lease.options !== 'object' || lease.options === null) return 'the lease has no options';
  if (uid === 0 && lease.options.permissionMode === 'bypassPermissions') return ROOT_BYPASS_PROBLEM;
  return (
    optionsProblem(lease.options) ??
    (lease.ceiling ? ceilingProblem(lease.options, lease.ceiling) : null) ??
    (lease.workspaceOptions ? workspaceOptionsProblem(lease.workspaceOptions, roots) : null)
  );
}
