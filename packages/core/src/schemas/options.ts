import { z } from 'zod';

/** Team and workspace names: lowercase, digits and dashes, like Kubernetes names. */
export const NameSchema = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'lowercase letters, digits and dashes, 1-63 chars');

/** A workspace or team, by name or by id. */
export const RefSchema = z.string().min(1).max(80).regex(/^[a-z0-9_-]+$/, 'a name or an id');

export const PERMISSION_MODES = [
  'default',
  'acceptEdits',
  'plan',
  'bypassPermissions',
  'dontAsk',
] as const;

const ToolPattern = z.string().min(1).max(200);
const ModelName = z.string().regex(/^[A-Za-z0-9._:\[\]-]{1,100}$/, 'a model name or alias');

/** What a task may ask of `claude`: each maps to one flag. */
export const ClaudeOptionsSchema = z.strictObject({
  model: ModelName.optional(),
  fallbackModel: ModelName.optional(),
  permissionMode: z.enum(PERMISSION_MODES).optional(),
  allowedTools: z.array(ToolPattern).max(100).optional(),
  disallowedTools: z.array(ToolPattern).max(100).optional(),
  maxTurns: z.int().min(1).max(10_000).optional(),
  maxBudgetUsd: z.number().positive().max(100_000).optional(),
  appendSystemPrompt: z.string().max(100_000).optional(),
});
export type ClaudeOptions = z.infer<typeof ClaudeOptionsSchema>;
