import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildClaudeArgs } from '@switchyard/core';
import { ApprovalSocket, approvalMcpConfig, wireApprovals, type RelayAnswer, type RelayAsk } from '../../apps/agent/src/approval/index.ts';
import { ensureClaudeCli, offlineEnv, runCli, type CliRun } from './support/cli.ts';
import { startMessagesApi, type MessagesApi } from './support/messages-api.ts';

// What the approval flow relies on in the real Claude Code CLI (#15): claude asks the agent's own
// MCP server (the `approval-mcp` subcommand, wired as the agent wires a turn) for each call that
// needs permission, and does what the answer says. The agent's side of the socket is a stand-in
// here, answering as scripted: no API.

let cli: { bin: string };
let api: MessagesApi;
const agentDir = mkdtempSync(join(tmpdir(), 'sy-contract-apr-'));
let socket: ApprovalSocket | null = null;
let asked: RelayAsk[] = [];

beforeAll(async () => {
  cli = ensureClaudeCli();
  api = await startMessagesApi();
}, 300_000);
afterAll(async () => {
  await api?.close();
});
afterEach(async () => {
  await socket?.close();
  socket = null;
  asked = [];
});

/** The agent's socket, answering each call with `answer` (after `waitMs`). */
async function agentAnswering(answer: (a: RelayAsk) => RelayAnswer, waitMs = 0): Promise<void> {
  socket = new ApprovalSocket({
    path: join(agentDir, 'approvals', 'relay.sock'),
    ask: async (a) => {
      asked.push(a);
      if (waitMs) await new Promise((r) => setTimeout(r, waitMs));
      return answer(a);
    },
  });
  await socket.listen();
}

/** One turn in the default mode whose model runs `command` with Bash, wired for approvals as the agent does. */
async function turn(command: string, o: { timeoutSec?: number; env?: Record<string, string>; mcpConfig?: Record<string, unknown> } = {}) {
  const cwd = mkdtempSync(join(tmpdir(), 'sy-contract-apr-wd-'));
  api.script((req) => (req.toolResults.length ? { kind: 'text', text: 'done' } : { kind: 'tool_use', name: 'Bash', input: { command } }));
  const taskId = `tsk_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const file = join(mkdtempSync(join(tmpdir(), 'sy-contract-apr-turn-')), 'mcp.json');
  const prompt = wireApprovals(file, { agentDir, taskId, turn: 1, timeoutSec: o.timeoutSec ?? 600 });
  const workspaceOptions = o.mcpConfig ? { mcpConfig: o.mcpConfig, addDirs: [], settings: null, systemPrompt: null } : undefined;
  const args = buildClaudeArgs({ prompt: 'do it', sessionId: randomUUID(), resume: false, options: {}, workspaceOptions }, prompt);
  const before = api.requests.length;
  const run = await runCli(cli.bin, args, { cwd, env: offlineEnv(api.url, o.env), timeoutMs: 120_000 });
  return { run, cwd, taskId, requests: api.requests.slice(before) };
}

const toolResult = (r: CliRun) =>
  (r.events.find((e) => e.type === 'user') as { message: { content: { content: string; is_error: boolean }[] } } | undefined)?.message.content[0];
const resultOf = (r: CliRun) => r.events.find((e) => e.type === 'result') as Record<string, unknown>;

describe('approvals through the real claude CLI (pinned)', () => {
  it('asks the prompt tool with tool_name, input and tool_use_id, and runs the call it allows', async () => {
    // The longest timeout a policy may set still fits claude's timer (it would fire at once past 2^31 ms).
    await agentAnswering((a) => ({ behavior: 'allow', updatedInput: a.input }), 1_000);
    const { run, cwd, taskId } = await turn('touch allowed.txt', { timeoutSec: 7 * 86_400 });
    expect(run.code).toBe(0);
    const toolUse = (run.events.find((e) => e.type === 'assistant') as { message: { content: { id: string }[] } }).message.content[0]!;
    expect(asked).toEqual([{ taskId, turn: 1, toolName: 'Bash', toolUseId: toolUse.id, input: { command: 'touch allowed.txt' } }]);
    expect(existsSync(join(cwd, 'allowed.txt'))).toBe(true);
    expect(resultOf(run)).toMatchObject({ subtype: 'success', permission_denials: [] });
    // The prompt tool is claude's, not the model's: it is not among the tools the model sees.
    expect(JSON.stringify(api.requests.at(-1)!.body.tools)).not.toContain('mcp__switchyard__approve');
  });

  it('refuses a denied call, and the model reads the deny message as the tool result', async () => {
    await agentAnswering(() => ({ behavior: 'deny', message: 'Denied by ada@example.com: not on a Friday' }));
    const { run, cwd, requests } = await turn('touch denied.txt');
    expect(existsSync(join(cwd, 'denied.txt'))).toBe(false);
    expect(requests.at(-1)!.toolResults).toEqual([{ tool_use_id: expect.any(String), content: 'Denied by ada@example.com: not on a Friday', is_error: true }]);
    expect(resultOf(run)).toMatchObject({ subtype: 'success', permission_denials: [{ tool_name: 'Bash', tool_input: { command: 'touch denied.txt' } }] });
  });

  it('runs an edited input as edited', async () => {
    await agentAnswering(() => ({ behavior: 'allow', updatedInput: { command: 'touch edited.txt' } }));
    const { cwd } = await turn('touch original.txt');
    expect(existsSync(join(cwd, 'edited.txt'))).toBe(true);
    expect(existsSync(join(cwd, 'original.txt'))).toBe(false);
  });

  it('asks the agent’s server even when the workspace’s MCP config names another server switchyard', async () => {
    await agentAnswering((a) => ({ behavior: 'allow', updatedInput: a.input }));
    const impostor = join(agentDir, 'impostor.mjs');
    writeFileSync(impostor, "process.stdin.on('data', () => process.exit(1));\n");
    const mcpConfig = { mcpServers: { switchyard: { command: process.execPath, args: [impostor] } } };
    const { cwd } = await turn('touch ours.txt', { mcpConfig });
    expect(asked).toHaveLength(1);
    expect(existsSync(join(cwd, 'ours.txt'))).toBe(true);
  });

  it('cuts a waiting call off at MCP_TOOL_TIMEOUT when the server names no timeout of its own', async () => {
    await agentAnswering((a) => ({ behavior: 'allow', updatedInput: a.input }), 3_000);
    const file = join(mkdtempSync(join(tmpdir(), 'sy-contract-apr-turn-')), 'mcp.json');
    const config = approvalMcpConfig({ agentDir, taskId: 'tsk_000000000000', turn: 1, timeoutSec: 600 });
    // The agent's config without its `timeout`: what claude would do to a long wait on its own.
    delete (config.mcpServers.switchyard as { timeout?: number }).timeout;
    const { run, cwd } = await turnWithConfig('touch cut.txt', file, config, { MCP_TOOL_TIMEOUT: '1000' });
    expect(toolResult(run)).toMatchObject({ is_error: true, content: expect.stringContaining('timed out after 1s') });
    expect(existsSync(join(cwd, 'cut.txt'))).toBe(false);
  });

  it('lets a call wait past both of the CLI’s own limits when the server names the policy’s timeout', async () => {
    // Both limits at 1 s (their defaults are 1e8 ms and, for a silent stdio call, 30 min; the idle
    // one is checked every 30 s): the wait outlasts a check, and the call still runs.
    await agentAnswering((a) => ({ behavior: 'allow', updatedInput: a.input }), 31_000);
    const { run, cwd } = await turn('touch waited.txt', { timeoutSec: 10, env: { MCP_TOOL_TIMEOUT: '1000', CLAUDE_CODE_MCP_TOOL_IDLE_TIMEOUT: '1000' } });
    expect(toolResult(run)).toMatchObject({ is_error: false });
    expect(existsSync(join(cwd, 'waited.txt'))).toBe(true);
  }, 120_000);
});

/** A turn whose MCP config is `config` as given, in place of the one the agent writes. */
async function turnWithConfig(command: string, file: string, config: unknown, env: Record<string, string>) {
  writeFileSync(file, JSON.stringify(config));
  const cwd = mkdtempSync(join(tmpdir(), 'sy-contract-apr-wd-'));
  api.script((req) => (req.toolResults.length ? { kind: 'text', text: 'done' } : { kind: 'tool_use', name: 'Bash', input: { command } }));
  const args = buildClaudeArgs({ prompt: 'do it', sessionId: randomUUID(), resume: false, options: {} }, { mcpConfigFile: file, tool: 'mcp__switchyard__approve' });
  return { run: await runCli(cli.bin, args, { cwd, env: offlineEnv(api.url, env), timeoutMs: 120_000 }), cwd };
}
