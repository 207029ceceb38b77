/**
 * The MCP server claude runs as its `--permission-prompt-tool` (stdio: JSON-RPC 2.0, one message
 * a line). It offers one tool, `approve`, which claude calls with `{tool_name, input,
 * tool_use_id}` for each tool call that needs permission, and which answers with one text item
 * holding `{"behavior":"allow","updatedInput":…}` or `{"behavior":"deny","message":…}` (checked
 * on Claude Code 2.1.332). It holds no credentials and reaches nothing but `ask`, the agent.
 * Imports nothing but Node, so it starts in a few tens of ms.
 */
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { APPROVAL_SERVER, APPROVAL_TOOL, deny, type RelayAnswer } from './wire.ts';

/** A tool call claude asks about, as its arguments name it. */
export interface PromptCall {
  toolName: string;
  toolUseId: string;
  input: Record<string, unknown>;
}

export interface McpServerDeps {
  input: Readable;
  output: Writable;
  /** The answer to one call; `signal` aborts when claude cancels it or goes away. */
  ask: (call: PromptCall, signal: AbortSignal) => Promise<RelayAnswer>;
  version?: string;
}

type Id = string | number;
interface Message {
  id?: Id;
  method?: string;
  params?: Record<string, unknown>;
}

const TOOL = {
  name: APPROVAL_TOOL,
  description: 'Asks Switchyard (its policy, or a person) whether a tool call may run.',
  inputSchema: {
    type: 'object',
    properties: { tool_name: { type: 'string' }, input: { type: 'object' }, tool_use_id: { type: 'string' } },
    required: ['tool_name', 'input'],
  },
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The call in a `tools/call`'s params; null when they do not hold one. */
export function readCall(params: Record<string, unknown> | undefined): PromptCall | null {
  const args = params?.arguments;
  if (params?.name !== APPROVAL_TOOL || !isObject(args) || typeof args.tool_name !== 'string' || !isObject(args.input)) return null;
  const meta = isObject(params._meta) ? params._meta['claudecode/toolUseId'] : undefined;
  const toolUseId = typeof args.tool_use_id === 'string' ? args.tool_use_id : typeof meta === 'string' ? meta : '';
  if (!toolUseId) return null;
  return { toolName: args.tool_name, toolUseId, input: args.input };
}

/** Serves MCP on `input`/`output` until `input` ends (claude exited); pending calls are then aborted. */
export function serveMcp(deps: McpServerDeps): Promise<void> {
  const pending = new Map<Id, AbortController>();
  const send = (msg: Record<string, unknown>) => deps.output.write(`${JSON.stringify({ jsonrpc: '2.0', ...msg })}\n`);
  const reply = (id: Id, result: unknown) => send({ id, result });
  const fail = (id: Id | null, code: number, message: string) => send({ id, error: { code, message } });
  const answer = (id: Id, a: RelayAnswer) => reply(id, { content: [{ type: 'text', text: JSON.stringify(a) }] });

  function call(id: Id, params: Record<string, unknown> | undefined): void {
    const c = readCall(params);
    if (!c && params?.name === APPROVAL_TOOL) return void answer(id, deny('Switchyard could not read this permission request.'));
    if (!c) return void fail(id, -32602, `unknown tool ${String(params?.name)}`);
    const abort = new AbortController();
    pending.set(id, abort);
    deps.ask(c, abort.signal).then(
      (a) => {
        if (pending.delete(id)) answer(id, a);
      },
      (err: unknown) => {
        if (pending.delete(id) && !abort.signal.aborted) answer(id, deny(`Switchyard could not relay this permission request: ${(err as Error).message}`));
      },
    );
  }

  function handle(msg: Message): void {
    if (msg.method === undefined) return; // a response: we send no requests
    if (msg.id === undefined) {
      // A notification: only a cancel matters.
      if (msg.method === 'notifications/cancelled') pending.get(msg.params?.requestId as Id)?.abort();
      return;
    }
    const id = msg.id;
    if (msg.method === 'initialize') {
      const asked = msg.params?.protocolVersion;
      reply(id, {
        protocolVersion: typeof asked === 'string' ? asked : '2025-06-18',
        capabilities: { tools: {} },
        serverInfo: { name: APPROVAL_SERVER, version: deps.version ?? '0' },
      });
    } else if (msg.method === 'ping') reply(id, {});
    else if (msg.method === 'tools/list') reply(id, { tools: [TOOL] });
    else if (msg.method === 'tools/call') call(id, msg.params);
    else fail(id, -32601, `method not found: ${msg.method}`);
  }

  return new Promise((resolve) => {
    const lines = createInterface({ input: deps.input, crlfDelay: Infinity });
    lines.on('line', (line) => {
      if (!line.trim()) return;
      let msg: unknown;
      try {
        msg = JSON.parse(line);
      } catch {
        return fail(null, -32700, 'parse error');
      }
      if (isObject(msg)) handle(msg as Message);
      else fail(null, -32600, 'invalid request');
    });
    lines.on('close', () => {
      for (const abort of pending.values()) abort.abort();
      pending.clear();
      resolve();
    });
  });
}
