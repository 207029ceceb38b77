import type { Lease } from './schemas/index.ts';

/**
 * The argument array for one turn of `claude -p`. It is handed to spawn() as an array, never
 * joined into a shell string. Every value is glued to its flag (`--model=opus`), one argument
 * per list item (`--allowedTools=Read --allowedTools=Bash(git log:*)`), so no value — not even
 * `--permission-mode` or `--mcp-config` — can be read as a flag; the real CLI (2.1.x) takes this
 * form. The prompt comes last, after `--`, so a prompt that starts with a dash is still the
 * prompt. A workspace ceiling's disallowed tools are always appended to the task's; the
 * workspace's admin-only options (system prompt, extra dirs, MCP config, settings) follow, then
 * the permission prompt's MCP server when the turn may ask for approvals.
 */
/** What a retried turn says instead of its prompt, which the session already holds. */
export const CONTINUATION_PROMPT =
  'Continue where you stopped: your previous attempt at my last message was interrupted by an API error (a rate limit or an outage). Do not start over.';

/**
 * Claude's permission prompt wired to an MCP server (approvals, #15): the config file naming the
 * server, and the tool claude asks (`mcp__<server>__<tool>`).
 */
export interface PermissionPrompt {
  mcpConfigFile: string;
  tool: string;
}

export function buildClaudeArgs(
  turn: Pick<Lease, 'prompt' | 'sessionId' | 'resume' | 'options' | 'ceiling' | 'workspaceOptions' | 'continuation'>,
  prompt?: PermissionPrompt,
): string[] {
  const o = turn.options;
  // Only the pod user's settings and the workspace's (--settings) apply: a workdir's own
  // .claude/settings*.json could allow tools or add hooks past the ceiling, and its .mcp.json
  // start servers; MCP servers come from the workspace's mcpConfig alone.
  const args = ['-p', '--output-format=stream-json', '--verbose', '--setting-sources=user', '--strict-mcp-config'];
  const flag = (name: string, value: string | number | undefined) => {
    if (value !== undefined && value !== '') args.push(`--${name}=${value}`);
  };
  flag(turn.resume ? 'resume' : 'session-id', turn.sessionId);
  flag('model', o.model);
  flag('fallback-model', o.fallbackModel);
  flag('effort', o.effort);
  if (o.jsonSchema) flag('json-schema', JSON.stringify(o.jsonSchema));
  flag('permission-mode', o.permissionMode);
  for (const rule of o.allowedTools ?? []) flag('allowedTools', rule);
  const disallowed = new Set([...(o.disallowedTools ?? []), ...(turn.ceiling?.disallowedTools ?? [])]);
  for (const rule of disallowed) flag('disallowedTools', rule);
  flag('max-turns', o.maxTurns);
  flag('max-budget-usd', o.maxBudgetUsd);
  flag('append-system-prompt', o.appendSystemPrompt);
  // The workspace's admin-only options.
  const w = turn.workspaceOptions;
  flag('system-prompt', w?.systemPrompt ?? undefined);
  for (const dir of w?.addDirs ?? []) flag('add-dir', dir);
  if (w?.mcpConfig) flag('mcp-config', JSON.stringify(w.mcpConfig));
  if (w?.settings) flag('settings', JSON.stringify(w.settings));
  // Several --mcp-config flags add up, and for a server name given twice the last one wins
  // (checked on 2.1.332): the permission prompt's comes last, so a workspace's own MCP config
  // cannot stand in for it.
  if (prompt) {
    flag('mcp-config', prompt.mcpConfigFile);
    flag('permission-prompt-tool', prompt.tool);
  }
  args.push('--', turn.continuation ? CONTINUATION_PROMPT : turn.prompt);
  return args;
}
