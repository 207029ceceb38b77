// The approval MCP server as claude starts it: the agent's bin with `approval-mcp`, spoken to in
// JSON-RPC over stdio, relaying to a stand-in for the agent on the socket.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { AGENT_BIN } from './mcp-config.ts';
import { ApprovalSocket } from './socket.ts';
import type { RelayAnswer, RelayAsk } from './wire.ts';

const dir = mkdtempSync(join(tmpdir(), 'sy-mcp-'));
const socketPath = join(dir, 'approvals', 'relay.sock');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The MCP server, with a way to send a message and to read the next answer to an id. */
function startServer() {
  const child = spawn(process.execPath, [AGENT_BIN, 'approval-mcp', socketPath, 'tsk_0000mcp00001', '2'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const answers = new Map<unknown, (m: Record<string, unknown>) => void>();
  const early = new Map<unknown, Record<string, unknown>>();
  createInterface({ input: child.stdout }).on('line', (line) => {
    const msg = JSON.parse(line) as Record<string, unknown>;
    const waiter = answers.get(msg.id);
    if (waiter) waiter(msg);
    else early.set(msg.id, msg);
  });
  const send = (msg: Record<string, unknown>) => child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', ...msg })}\n`);
  const answerTo = (id: unknown) =>
    new Promise<Record<string, unknown>>((resolve) => (early.has(id) ? resolve(early.get(id)!) : answers.set(id, resolve)));
  const request = (id: unknown, method: string, params?: Record<string, unknown>) => (send({ id, method, params }), answerTo(id));
  return { child, send, request, answerTo };
}

let children: ChildProcessWithoutNullStreams[] = [];
let sockets: ApprovalSocket[] = [];
afterEach(async () => {
  for (const c of children) c.kill();
  for (const s of sockets) await s.close();
  children = [];
  sockets = [];
});

async function agentAnswering(ask: (a: RelayAsk, signal: AbortSignal) => Promise<RelayAnswer>) {
  const socket = new ApprovalSocket({ path: socketPath, ask });
  await socket.listen();
  sockets.push(socket);
  return socket;
}

const callParams = (toolUseId: string) => ({
  name: 'approve',
  arguments: { tool_name: 'Bash', input: { command: 'touch x' }, tool_use_id: toolUseId },
  _meta: { 'claudecode/toolUseId': toolUseId, progressToken: 2 },
});
const textOf = (msg: Record<string, unknown>) => JSON.parse((msg.result as { content: { type: string; text: string }[] }).content[0]!.text) as unknown;

describe('the approval MCP server', () => {
  it('is its own bundle that loads nothing but Node, so claude does not wait on the agent’s', () => {
    const bundle = readFileSync(join(dirname(AGENT_BIN), '..', 'dist', 'approval-mcp.js'), 'utf8');
    const imports = [...bundle.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]);
    expect(imports.length).toBeGreaterThan(0);
    expect(imports.filter((i) => !i!.startsWith('node:'))).toEqual([]);
  });

  it('answers initialize, refuses the discovery probe, lists approve, and relays a call to the agent', async () => {
    const asked: RelayAsk[] = [];
    await agentAnswering(async (a) => (asked.push(a), { behavior: 'allow', updatedInput: { command: 'touch y' } }));
    const s = startServer();
    children.push(s.child);
    // claude 2.1.332 first probes `server/discover`, then falls back to initialize when refused.
    expect(await s.request('server-discover-probe-1', 'server/discover', {})).toMatchObject({ error: { code: -32601 } });
    const init = await s.request(0, 'initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'claude-code' } });
    expect(init.result).toMatchObject({ protocolVersion: '2025-11-25', capabilities: { tools: {} }, serverInfo: { name: 'switchyard' } });
    s.send({ method: 'notifications/initialized' });
    const list = await s.request(1, 'tools/list');
    expect((list.result as { tools: { name: string }[] }).tools.map((t) => t.name)).toEqual(['approve']);
    const call = await s.request(2, 'tools/call', callParams('toolu_01'));
    expect(textOf(call)).toEqual({ behavior: 'allow', updatedInput: { command: 'touch y' } });
    expect(asked).toEqual([{ taskId: 'tsk_0000mcp00001', turn: 2, toolName: 'Bash', toolUseId: 'toolu_01', input: { command: 'touch x' } }]);
  });

  it('passes a deny and its message on as the text claude reads', async () => {
    await agentAnswering(async () => ({ behavior: 'deny', message: 'not on a Friday' }));
    const s = startServer();
    children.push(s.child);
    expect(textOf(await s.request(7, 'tools/call', callParams('toolu_02')))).toEqual({ behavior: 'deny', message: 'not on a Friday' });
  });

  it('asks a restarted agent again with the same tool_use_id, and answers with what it says', async () => {
    const first: string[] = [];
    let restarted!: () => void;
    const hungUp = new Promise<void>((r) => (restarted = r));
    const old = await agentAnswering(async (a, signal) => {
      first.push(a.toolUseId);
      await new Promise((r) => signal.addEventListener('abort', r));
      restarted();
      throw new Error('aborted');
    });
    const s = startServer();
    children.push(s.child);
    const answer = s.request(3, 'tools/call', callParams('toolu_03'));
    while (first.length === 0) await new Promise((r) => setTimeout(r, 20));
    await old.close();
    await hungUp;
    const second: string[] = [];
    await agentAnswering(async (a) => (second.push(a.toolUseId), { behavior: 'allow', updatedInput: a.input }));
    expect(textOf(await answer)).toEqual({ behavior: 'allow', updatedInput: { command: 'touch x' } });
    expect([...first, ...second]).toEqual(['toolu_03', 'toolu_03']);
  });

  it('hangs up on the agent when claude cancels the call', async () => {
    let aborted!: () => void;
    let reached!: () => void;
    const cancelled = new Promise<void>((r) => (aborted = r));
    const asked = new Promise<void>((r) => (reached = r));
    await agentAnswering(async (_a, signal) => {
      reached();
      await new Promise((r) => signal.addEventListener('abort', r));
      aborted();
      throw new Error('aborted');
    });
    const s = startServer();
    children.push(s.child);
    s.send({ id: 4, method: 'tools/call', params: callParams('toolu_04') });
    await asked;
    s.send({ method: 'notifications/cancelled', params: { requestId: 4, reason: 'timed out' } });
    await cancelled;
  });

  it('refuses a malformed call with a deny rather than leaving claude waiting', async () => {
    await agentAnswering(async () => ({ behavior: 'allow', updatedInput: {} }));
    const s = startServer();
    children.push(s.child);
    const r = await s.request(5, 'tools/call', { name: 'approve', arguments: { tool_name: 'Bash' } });
    expect(textOf(r)).toMatchObject({ behavior: 'deny' });
    expect(await s.request(6, 'tools/call', { name: 'other', arguments: {} })).toMatchObject({ error: { code: -32602 } });
  });
});
