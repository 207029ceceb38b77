/**
 * `--permission-prompt-tool` as the real CLI uses it (checked on 2.1.332): for a call the
 * permission mode would ask about, start the MCP server the tool names (`mcp__<server>__<tool>`,
 * from the `--mcp-config` values, the last naming it winning), call the tool with `{tool_name,
 * input, tool_use_id}` over stdio JSON-RPC, and wait — however long — for a text item holding
 * `{"behavior":"allow","updatedInput":…}` or `{"behavior":"deny","message":…}`.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

export type PromptAnswer = { behavior: 'allow'; updatedInput: Record<string, unknown> } | { behavior: 'deny'; message: string };

interface Server {
  command: string;
  args?: string[];
  env?: Record<string, string>;
}

/** The server `mcp__<server>__<tool>` names, from the configs in order; null when none does. */
export function findServer(configs: string[], promptTool: string): { server: Server; tool: string } | null {
  const m = /^mcp__(.+?)__(.+)$/.exec(promptTool);
  if (!m) return null;
  let server: Server | null = null;
  for (const c of configs) {
    const text = c.trimStart().startsWith('{') ? c : readFileSync(c, 'utf8');
    const found = (JSON.parse(text) as { mcpServers?: Record<string, Server> }).mcpServers?.[m[1]!];
    if (found) server = found;
  }
  return server ? { server, tool: m[2]! } : null;
}

/** Asks the prompt tool about one call; a server that fails or answers nonsense denies it. */
export async function askPromptTool(configs: string[], promptTool: string, call: { tool_name: string; input: Record<string, unknown>; tool_use_id: string }): Promise<PromptAnswer> {
  const found = findServer(configs, promptTool);
  if (!found) return { behavior: 'deny', message: `MCP tool ${promptTool} (passed via --permission-prompt-tool) not found` };
  const child = spawn(found.server.command, found.server.args ?? [], { stdio: ['pipe', 'pipe', 'ignore'], env: { ...process.env, ...found.server.env } });
  const waiting = new Map<number, (msg: Record<string, unknown>) => void>();
  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      const msg = JSON.parse(line) as Record<string, unknown>;
      waiting.get(msg.id as number)?.(msg);
    } catch {
      // not ours to read
    }
  });
  const gone = new Promise<never>((_r, reject) => child.once('exit', () => reject(new Error('the MCP server exited'))));
  gone.catch(() => undefined);
  const request = (id: number, method: string, params: Record<string, unknown>) => {
    child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    return Promise.race([new Promise<Record<string, unknown>>((resolve) => waiting.set(id, resolve)), gone]);
  };
  try {
    await request(0, 'initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'claude-sim', version: '0' } });
    child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
    const res = await request(1, 'tools/call', { name: found.tool, arguments: call, _meta: { 'claudecode/toolUseId': call.tool_use_id } });
    const text = (res.result as { content?: { text?: string }[] } | undefined)?.content?.[0]?.text ?? '';
    const answer = JSON.parse(text) as PromptAnswer;
    if (answer.behavior === 'allow' || answer.behavior === 'deny') return answer;
    throw new Error(`not an answer: ${text.slice(0, 200)}`);
  } catch (err) {
    return { behavior: 'deny', message: `Error calling tool (${call.tool_name}): ${(err as Error).message}` };
  } finally {
    child.kill();
  }
}
