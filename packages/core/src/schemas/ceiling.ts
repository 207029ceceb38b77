import type { ClaudeOptions, PermissionCeiling, PermissionMode } from './options.ts';

// The permission model's one rule, shared by the API (at create and follow-up) and the agent
// (before it spawns): a task can only narrow its workspace's ceiling.

/** Why options fall outside a ceiling: the field, what was asked, and what is allowed. */
export interface CeilingProblem {
  field: 'permissionMode' | 'allowedTools' | 'model' | 'fallbackModel';
  message: string;
  allowed: readonly string[];
  rule?: string;
}

/** The bare tool name of a rule: `Bash` of `Bash(git log:*)`. */
export const toolNameOf = (rule: string): string => rule.replace(/\(.*$/s, '');

/** A rule is covered by the ceiling when the ceiling holds the same rule or its bare tool name. */
export const ruleCovered = (rule: string, ceiling: readonly string[]): boolean =>
  ceiling.includes(rule) || ceiling.includes(toolNameOf(rule));

/**
 * The first way `options` (with `mode`, the task's or the workspace's default) exceed the
 * ceiling, or null. `models` empty means any model.
 */
export function ceilingProblem(
  ceiling: Pick<PermissionCeiling, 'permissionModes' | 'allowedTools'>,
  models: readonly string[],
  options: ClaudeOptions,
  mode: PermissionMode,
): CeilingProblem | null {
  if (!ceiling.permissionModes.includes(mode)) {
    const message = `permission mode ${mode} is not allowed in this workspace`;
    return { field: 'permissionMode', message, allowed: ceiling.permissionModes };
  }
  for (const rule of options.allowedTools ?? []) {
    if (!ruleCovered(rule, ceiling.allowedTools)) {
      const message = `tool rule ${rule} is outside this workspace's allowedTools`;
      return { field: 'allowedTools', message, rule, allowed: ceiling.allowedTools };
    }
  }
  for (const field of ['model', 'fallbackModel'] as const) {
    for (const model of options[field]?.split(',') ?? []) {
      if (models.length > 0 && !models.includes(model)) {
        return { field, message: `model ${model} is not allowed in this workspace`, allowed: models };
      }
    }
  }
  return null;
}

/** The workspace's disallowed rules first, then the task's own, without repeats. */
export const mergeRules = (always: readonly string[], extra: readonly string[] = []): string[] => [
  ...new Set([...always, ...extra]),
];
