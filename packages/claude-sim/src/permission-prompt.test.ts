// `@sim ask NAME` with --permission-prompt-tool: the sim asks the MCP server the tool names, as the
// real CLI does, and plays the answer. The server here answers what its argument says.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { claudeSimBin } from './index.ts';

const dir = mkdtempSync(join(tmpdir(), 'claude-sim-prompt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const server = join(dir, 'server.mjs');
writeFileSync(
  server,
  `import { appendFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
const [log, answer] = process.argv.slice(2);
const send = (m) => process.stdout.write(JSON.stringify({ jsonrpc: '2.0', ...m }) + '\\n');
createInterface({ input: process.stdin }).on('line', (line) => {
  const m = JSON.parse(line);
  if (m.method === 'initialize') send({ id: m.id, result: { protocolVersion: m.params.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: 't', version: '0' } } });
  if (m.method === 'tools/call') {
    appendFileSync(log, JSON.stringify(m.params) + '\\n');
    send({ id: m.id, result: { content: [{ type: 'text', text: answer }] } });
  }
});
`,
);

function sim(prompt: string, answer: unknown, extra: string[] = []) {
  const log = join(dir, `calls-${Math.random().toString(36).slice(2)}.jsonl`);
  writeFileSync(log, '');
  const config = JSON.stringify({ mcpServers: { switchyard: { command: process.execPath, args: [server, log, JSON.stringify(answer)] } } });
  const args = ['-p', '--output-format=stream-json', '--verbose', `--mcp-config=${config}`, '--permission-prompt-tool=mcp__switchyard__approve', ...extra, '--', prompt];
  return new Promise<{ events: Record<string, any>[]; calls: () => Record<string, any>[] }>((resolve) => {
    const child = spawn(process.execPath, [claudeSimBin, ...args], { env: { ...process.env, CLAUDE_SIM_STATE_DIR: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.on('close', () => {
      const events = out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>);
      const calls = () => readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>);
      resolve({ events, calls });
    });
  });
}

const resultOf = (events: Record<string, any>[]) => events.find((e) => e.type === 'user')!.message.content[0];

describe('@sim ask with a permission prompt tool', () => {
  it('asks the tool with tool_name, input and tool_use_id, and runs the call with the input it allows', async () => {
    const r = await sim('@sim ask Write', { behavior: 'allow', updatedInput: { file_path: '/w/edited.md', content: 'x' } });
    const use = r.events.find((e) => e.type === 'assistant')!.message.content[0];
    expect(r.calls()).toEqual([{ name: 'approve', arguments: { tool_name: 'Write', input: use.input, tool_use_id: use.id }, _meta: { 'claudecode/toolUseId': use.id } }]);
    expect(resultOf(r.events)).toMatchObject({ tool_use_id: use.id, content: expect.stringContaining('/w/edited.md') });
    expect(resultOf(r.events).is_error).toBeUndefined();
    expect(r.events.at(-1)).toMatchObject({ type: 'result', permission_denials: [] });
  });

  it('plays a deny as the real CLI does: the message as an error result and a permission denial', async () => {
    const r = await sim('@sim ask Bash', { behavior: 'deny', message: 'not today' });
    expect(resultOf(r.events)).toMatchObject({ content: 'not today', is_error: true });
    expect(r.events.some((e) => e.subtype === 'permission_denied')).toBe(false);
    expect(r.events.at(-1)).toMatchObject({ permission_denials: [{ tool_name: 'Bash' }] });
  });

  it('asks nothing of a call the mode lets through', async () => {
    const r = await sim('@sim ask Bash', { behavior: 'deny', message: 'x' }, ['--permission-mode=bypassPermissions']);
    expect(r.calls()).toEqual([]);
    expect(resultOf(r.events).is_error).toBeUndefined();
  });
});
