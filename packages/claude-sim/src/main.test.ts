import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { claudeSimBin } from './index.ts';

const state = mkdtempSync(join(tmpdir(), 'claude-sim-test-'));
afterAll(() => rmSync(state, { recursive: true, force: true }));

const STREAM = ['-p', '--output-format', 'stream-json', '--verbose'];

function sim(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [claudeSimBin, ...args], {
    env: { ...process.env, CLAUDE_SIM_STATE_DIR: state },
    encoding: 'utf8',
    input,
    maxBuffer: 64 * 1024 * 1024,
  });
  const events = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, any>);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, events };
}

describe('claude-sim', () => {
  it('refuses stream-json without --verbose as the real CLI does', () => {
    const r = sim(['-p', '--output-format', 'stream-json', 'hi']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('When using --print, --output-format=stream-json requires --verbose');
  });

  it('prints a version that says it is a sim', () => {
    expect(sim(['--version']).stdout).toMatch(/^2\.0\.0-sim \(Claude Code\)/);
  });

  it('writes a plausible transcript without directives: init first, result last, one session id', () => {
    const id = randomUUID();
    const r = sim([...STREAM, '--session-id', id, 'Fix the bug']);
    expect(r.code).toBe(0);
    expect(r.events[0]).toMatchObject({ type: 'system', subtype: 'init', session_id: id, claude_code_version: '2.0.0-sim' });
    expect(r.events.at(-1)).toMatchObject({ type: 'result', subtype: 'success', is_error: false, session_id: id });
    expect(r.events.some((e) => e.type === 'user' && e.message.content[0].type === 'tool_result')).toBe(true);
    expect(new Set(r.events.map((e) => e.session_id))).toEqual(new Set([id]));
  });

  it('echoes a hostile prompt byte for byte, after -- and a variadic --allowedTools', () => {
    const prompt = `@sim echo\n"double" 'single' $(rm -rf /) \`id\` C-c Enter \u0001\u001b[31m ünïcødé 🚀\n--help`;
    const r = sim([...STREAM, '--allowedTools', 'Bash(git log:*)', 'Read', '--', prompt]);
    expect(r.code).toBe(0);
    const said = r.events.find((e) => e.type === 'assistant')!.message.content[0].text;
    expect(said).toBe(prompt);
  });

  it('runs directives: say, tool, lines, todo, cost, exit', () => {
    const r = sim([...STREAM, '@sim say hello\n@sim tool Bash\n@sim lines 3 40\n@sim todo\n@sim cost 1.25\n@sim exit 3']);
    expect(r.code).toBe(3);
    const texts = r.events.filter((e) => e.type === 'assistant').flatMap((e) => e.message.content);
    expect(texts[0]).toEqual({ type: 'text', text: 'hello' });
    expect(texts.some((c: any) => c.type === 'tool_use' && c.name === 'Bash')).toBe(true);
    expect(texts.filter((c: any) => c.type === 'text' && c.text.startsWith('line '))).toHaveLength(3);
    const todo = texts.find((c: any) => c.name === 'TodoWrite');
    expect(todo.input.todos[0]).toMatchObject({ content: expect.any(String), status: 'completed', activeForm: expect.any(String) });
    expect(r.events.at(-1)).toMatchObject({ type: 'result', total_cost_usd: 1.25, is_error: true });
  });

  it('fails like an API error: subtype success with is_error true', () => {
    const r = sim([...STREAM, '@sim fail upstream exploded']);
    expect(r.code).toBe(1);
    expect(r.events.at(-1)).toMatchObject({ type: 'result', subtype: 'success', is_error: true, api_error_status: 500 });
    expect(r.events.at(-1)!.result).toContain('upstream exploded');
  });

  it('rate-limits the first run of a session, then runs normally on --resume', () => {
    const id = randomUUID();
    const first = sim([...STREAM, '--session-id', id, '@sim rate_limit 30\n@sim say after the limit']);
    expect(first.code).toBe(1);
    const rl = first.events.find((e) => e.type === 'rate_limit_event')!;
    expect(rl.rate_limit_info.status).toBe('rejected');
    expect(rl.rate_limit_info.resetsAt).toBeGreaterThan(Date.now() / 1000 + 20);
    expect(first.events.some((e) => e.type === 'assistant' && e.error === 'rate_limit')).toBe(true);
    expect(first.events.at(-1)!.result).toMatch(/^Claude AI usage limit reached\|\d+$/);
    const second = sim([...STREAM, '--resume', id, '@sim rate_limit 30\n@sim say after the limit']);
    expect(second.code).toBe(0);
    expect(second.events.at(-1)).toMatchObject({ is_error: false, result: 'after the limit' });
  });

  it('checks sessions like the real CLI: UUID required, unknown resume refused, reuse refused', () => {
    expect(sim([...STREAM, '--session-id', 'nope', 'x']).stderr).toContain('Invalid session ID');
    const unknown = randomUUID();
    const r = sim([...STREAM, '--resume', unknown, 'x']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`No conversation found with session ID: ${unknown}`);
    const id = randomUUID();
    expect(sim([...STREAM, '--session-id', id, 'x']).code).toBe(0);
    expect(sim([...STREAM, '--session-id', id, 'x']).stderr).toContain('already in use');
  });

  it('refuses unknown options and reads the prompt from stdin', () => {
    expect(sim([...STREAM, '--frobnicate', 'x']).stderr).toContain("unknown option '--frobnicate'");
    const r = sim(STREAM, '@sim say from stdin');
    expect(r.events.at(-1)!.result).toBe('from stdin');
  });

  it('writes every line of a long transcript through a pipe before it exits', () => {
    const r = sim([...STREAM, '@sim lines 20000 200']);
    expect(r.code).toBe(0);
    expect(r.events.filter((e) => e.type === 'assistant')).toHaveLength(20000);
    expect(r.events.at(-1)!.type).toBe('result');
  });

  it('hangs until SIGINT, then exits 130', async () => {
    const child = spawn(process.execPath, [claudeSimBin, ...STREAM, '@sim say waiting\n@sim hang'], {
      env: { ...process.env, CLAUDE_SIM_STATE_DIR: state },
    });
    await new Promise<void>((resolve) => child.stdout.on('data', (b: Buffer) => b.toString().includes('waiting') && resolve()));
    const code = new Promise((r) => child.on('exit', (c) => r(c)));
    child.kill('SIGINT');
    expect(await code).toBe(130);
  });
});
