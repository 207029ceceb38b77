import { z } from 'zod';
import { Identifier, JsonDocument, PathText, ProseText } from './text.ts';

export * from './text.ts';
export * from './ceiling.ts';

/** Team and workspace names: lowercase, digits and dashes, like Kubernetes names. */
export const NameSchema = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'lowercase letters, digits and dashes, 1-63 chars');

/** A workspace or team, by name or by id. */
export const RefSchema = z.string().min(1).max(80).regex(/^[a-z0-9_-]+$/, 'a name or an id');

/**
 * Claude Code's permission modes, from least to most permissive. `manual` is the name the CLI
 * (2.1.332) lists for the mode that asks; `default` is still accepted for it. A workspace
 * allows a set of them; a task picks one inside it.
 */
export const PERMISSION_MODES = [
  'plan',
  'dontAsk',
  'default',
  'manual',
  'acceptEdits',
  'auto',
  'bypassPermissions',
] as const;
export type PermissionMode = (typeof PERMISSION_MODES)[number];
export const PermissionModeSchema = z.enum(PERMISSION_MODES);

/**
 * One tool rule in Claude Code's own syntax: `Name` or `Name(spec)` — `Read`,
 * `Bash(git log:*)`, `mcp__github__get_issue`. A rule can never start with `-` (so it can never
 * be read as a flag), has no spaces or commas outside the parentheses and no parentheses inside
 * them: Claude Code splits a rule list at commas and spaces outside parentheses with a flag, not
 * a depth count, so `Read(a(b),Bash,c)` would reach it as three rules, one of them `Bash`.
 */
export const TOOL_RULE_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,127}(\([^()]+\))?$/;

export const ToolRuleSchema = Identifier(512).refine(
  (s) => TOOL_RULE_PATTERN.test(s),
  'a tool rule: Name or Name(spec) with no parentheses inside the spec, e.g. Read or Bash(git log:*)',
);
export const ToolRulesSchema = z.array(ToolRuleSchema).max(200);

export const ModelNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9._:\[\]-]{1,100}$/, 'a model name or alias');

/** `--fallback-model`: models to fall back to, in order, comma-separated (Claude Code 2.1.x). */
export const FallbackModelsSchema = z
  .string()
  .regex(/^[A-Za-z0-9._:\[\]-]{1,100}(,[A-Za-z0-9._:\[\]-]{1,100}){0,4}$/, 'one to five model names, comma-separated');

/** `--effort`: how hard claude thinks. */
export const EFFORT_LEVELS = ['low', 'medium', 'high', 'xhigh', 'max'] as const;

/** What a task may ask of `claude`: each maps to one flag. */
export const ClaudeOptionsSchema = z.strictObject({
  model: ModelNameSchema.optional(),
  fallbackModel: FallbackModelsSchema.optional(),
  effort: z.enum(EFFORT_LEVELS).optional(),
  /** A JSON Schema the result must follow (`--json-schema`); the task's `structuredOutput` holds it. */
  jsonSchema: JsonDocument(64 * 1024).optional(),
  permissionMode: PermissionModeSchema.optional(),
  allowedTools: ToolRulesSchema.optional(),
  disallowedTools: ToolRulesSchema.optional(),
  maxTurns: z.int().min(1).max(10_000).optional(),
  maxBudgetUsd: z.number().positive().max(100_000).optional(),
  appendSystemPrompt: ProseText(100_000).optional(),
});
export type ClaudeOptions = z.infer<typeof ClaudeOptionsSchema>;

/**
 * A workspace's ceiling: what its tasks may ask for at most. Sent in each lease so the agent
 * checks it again before it spawns claude.
 */
export const PermissionCeilingSchema = z.object({
  permissionModes: z.array(PermissionModeSchema).min(1).max(PERMISSION_MODES.length),
  /** Rules a task's `allowedTools` must be covered by (equal, or the bare tool name here). */
  allowedTools: ToolRulesSchema,
  /** Always applied, whatever the task asks. */
  disallowedTools: ToolRulesSchema,
});
export type PermissionCeiling = z.infer<typeof PermissionCeilingSchema>;

/** Options only an admin sets, per workspace: they start processes, run hooks or replace prompts. */
export const WorkspaceClaudeOptionsSchema = z.object({
  /** `--add-dir`: each under the workspace's roots. */
  addDirs: z.array(PathText).max(32),
  /** `--mcp-config`, as a JSON document (it starts processes). */
  mcpConfig: JsonDocument(64 * 1024).nullable(),
  /** `--settings`, as a JSON document (it carries hooks, which are shell commands). */
  settings: JsonDocument(64 * 1024).nullable(),
  /** `--system-prompt`: replaces Claude Code's default system prompt. */
  systemPrompt: ProseText(100_000).nullable(),
  /** Models a task may choose; empty means any. */
  models: z.array(ModelNameSchema).max(64),
});
export type WorkspaceClaudeOptions = z.infer<typeof WorkspaceClaudeOptionsSchema>;

/** A new workspace's modes: all but bypassPermissions, which an admin opts into. */
export const DEFAULT_PERMISSION_MODES: readonly PermissionMode[] = PERMISSION_MODES.filter(
  (m) => m !== 'bypassPermissions',
);

/** A new workspace's tool ceiling: every built-in tool of Claude Code by bare name (no MCP tools). */
export const DEFAULT_ALLOWED_TOOLS: readonly string[] = [
  'Agent', 'Bash', 'BashOutput', 'Edit', 'ExitPlanMode', 'Glob', 'Grep', 'KillShell', 'LS', 'MultiEdit',
  'NotebookEdit', 'NotebookRead', 'Read', 'Skill', 'SlashCommand', 'Task', 'TodoWrite', 'WebFetch',
  'WebSearch', 'Write',
];
