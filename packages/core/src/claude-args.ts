import type { Lease } from './schemas/index.ts';

/**
 * The argument array for one turn of `claude -p`. It is handed to spawn() as an array, never
 * joined into a shell string; the prompt comes last, after `--`, so neither a variadic flag
 * (`--allowedTools a b`) nor a prompt that starts with a dash can be misread as an option.
 */
export function buildClaudeArgs(
  turn: Pick<Lease, 'prompt' | 'sessionId' | 'resume' | 'options'>,
): string[] {
  const o = turn.options;
  const args = ['-p', '--output-format', 'stream-json', '--verbose'];
  args.push(turn.resume ? '--resume' : '--session-id', turn.sessionId);
  if (o.model) args.push('--model', o.model);
  if (o.fallbackModel) args.push('--fallback-model', o.fallbackModel);
  if (o.permissionMode) args.push('--permission-mode', o.permissionMode);
  if (o.allowedTools?.length) args.push('--allowedTools', ...o.allowedTools);
  if (o.disallowedTools?.length) args.push('--disallowedTools', ...o.disallowedTools);
  if (o.maxTurns !== undefined) args.push('--max-turns', String(o.maxTurns));
  if (o.maxBudgetUsd !== undefined) args.push('--max-budget-usd', String(o.maxBudgetUsd));
  if (o.appendSystemPrompt) args.push('--append-system-prompt', o.appendSystemPrompt);
  args.push('--', turn.prompt);
  return args;
}
