/**
 * The approval relay's wire, shared by the agent and the MCP server it gives claude (which
 * imports nothing but Node, to start fast). The MCP server writes one JSON line per tool call to
 * the agent's socket; the agent answers with one line, `{"answer": …}`, in the shape claude's
 * `--permission-prompt-tool` expects back.
 */

/** The MCP server's name in claude's config, and its tool. */
export const APPROVAL_SERVER = 'switchyard';
export const APPROVAL_TOOL = 'approve';
/** What `--permission-prompt-tool` names: claude's `mcp__<server>__<tool>`. */
export const PERMISSION_PROMPT_TOOL = `mcp__${APPROVAL_SERVER}__${APPROVAL_TOOL}`;
/** The agent subcommand that runs the MCP server: `switchyard-agent approval-mcp <socket> <taskId> <turn>`. */
export const APPROVAL_MCP_COMMAND = 'approval-mcp';
/** A line on the socket longer than this is refused (an input is at most 64 KiB, as JSON more). */
export const MAX_RELAY_LINE_BYTES = 1024 * 1024;

/** One tool call claude asks about, from the MCP server to the agent. */
export interface RelayAsk {
  taskId: string;
  turn: number;
  toolName: string;
  toolUseId: string;
  input: Record<string, unknown>;
}

/** claude's permission answer: run the call (with this input), or refuse it with a message it reads. */
export type RelayAnswer = { behavior: 'allow'; updatedInput: Record<string, unknown> } | { behavior: 'deny'; message: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown, max: number): v is string => typeof v === 'string' && v.length > 0 && v.length <= max;

/** A relay request as read off the socket; null when it is not one. */
export function parseAsk(v: unknown): RelayAsk | null {
  if (!isObject(v) || !isObject(v.input) || !Number.isInteger(v.turn) || (v.turn as number) < 1) return null;
  if (!text(v.taskId, 200) || !text(v.toolName, 200) || !text(v.toolUseId, 200)) return null;
  return { taskId: v.taskId, turn: v.turn as number, toolName: v.toolName, toolUseId: v.toolUseId, input: v.input };
}

/** The agent's answer as read off the socket; null when it is not one. */
export function parseAnswer(v: unknown): RelayAnswer | null {
  const a = isObject(v) ? v.answer : null;
  if (!isObject(a)) return null;
  if (a.behavior === 'allow' && isObject(a.updatedInput)) return { behavior: 'allow', updatedInput: a.updatedInput };
  if (a.behavior === 'deny' && typeof a.message === 'string') return { behavior: 'deny', message: a.message };
  return null;
}

export const deny = (message: string): RelayAnswer => ({ behavior: 'deny', message });
