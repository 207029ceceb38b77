/**
 * How a turn that may ask for approvals is wired: an MCP config file in the turn's dir (0600)
 * naming the agent's own MCP server — this node, the agent's bin, the `approval-mcp` subcommand,
 * the socket, the task and the turn: no shell, and no credentials — and the prompt tool claude
 * is told to ask.
 */
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeJsonAtomic } from '../turn/layout.ts';
import { approvalSocketPath } from './socket.ts';
import { APPROVAL_MCP_COMMAND, APPROVAL_SERVER, PERMISSION_PROMPT_TOOL } from './wire.ts';

/** The agent's bin, which runs the MCP server's own small bundle for `approval-mcp`. */
export const AGENT_BIN = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'switchyard-agent.js');

/**
 * Added to the policy's timeout for claude's own limit on the call: the API's timeout must deny
 * first (with a message claude reads), with room for an API or agent restart meanwhile.
 */
export const CLI_TIMEOUT_MARGIN_SEC = 300;

export interface ApprovalServerOptions {
  agentDir: string;
  taskId: string;
  turn: number;
  /** The policy's timeout, from the lease. */
  timeoutSec: number;
  node?: string;
  bin?: string;
}

/**
 * The MCP config. Its `timeout` (ms) is claude's limit on one call of this server alone: on
 * 2.1.332 it overrides both MCP_TOOL_TIMEOUT (default 1e8 ms) and the idle limit on a call that
 * sends nothing (CLAUDE_CODE_MCP_TOOL_IDLE_TIMEOUT, 30 min for stdio), which would otherwise cut
 * a long wait off — and it leaves a workspace's own MCP servers as they were.
 */
export function approvalMcpConfig(o: ApprovalServerOptions) {
  const args = [o.bin ?? AGENT_BIN, APPROVAL_MCP_COMMAND, approvalSocketPath(o.agentDir), o.taskId, String(o.turn)];
  const server = { type: 'stdio', command: o.node ?? process.execPath, args, timeout: (o.timeoutSec + CLI_TIMEOUT_MARGIN_SEC) * 1000 };
  return { mcpServers: { [APPROVAL_SERVER]: server } };
}

/** Writes the config (owner-only) and returns what buildClaudeArgs adds for it. */
export function wireApprovals(file: string, o: ApprovalServerOptions): { mcpConfigFile: string; tool: string } {
  writeJsonAtomic(file, approvalMcpConfig(o), (f, data) => writeFileSync(f, data, { mode: 0o600 }));
  return { mcpConfigFile: file, tool: PERMISSION_PROMPT_TOOL };
}
