import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildClaudeArgs, classifyTurn, summarizeLines, TOOL_RULE_PATTERN } from '@switchyard/core';
import { ensureClaudeCli, offlineEnv, runCli, type CliRun } from './support/cli.ts';
import { startMessagesApi, usageLimitHeaders, type MessagesApi } from './support/messages-api.ts';

// What Switchyard relies on in the real Claude Code CLI, checked against the pinned version
// (run `npm run contract -- --cli latest` against the newest). The CLI talks only to a local
// Messages API stand-in; it never reaches the internet.

const STREAM = ['--output-format', 'stream-json', '--verbose'];
let cli: { bin: string; version: string };
let api: MessagesApi;
let cwd: string;
let env: Record<string, string>;

beforeAll(async () => {
  cli = ensureClaudeCli();
  api = await startMessagesApi();
  cwd = mkdtempSync(join(tmpdir(), 'sy-contract-wd-'));
  writeFileSync(join(cwd, 'notes.txt'), 'line one\nline two\n');
  env = offlineEnv(api.url);
}, 300_000);

afterAll(async () => {
  await api?.close();
});

const run = (args: string[], timeoutMs?: number): Promise<CliRun> => runCli(cli.bin, [...args, ...STREAM], { cwd, env, timeoutMs });
const resultOf = (r: CliRun) => r.events.find((e) => e.type === 'result') as Record<string, unknown>;

describe(`the real claude CLI (pinned)`, () => {
  it('answers one prompt with init, assistant and a success result, and exits 0', async () => {
    api.script(() => ({ kind: 'text', text: 'Hello from the stand-in.' }));
    const r = await run(['-p', 'say hello']);
    expect(r.code).toBe(0);
    expect(r.events.map((e) => e.type)).toEqual(['system', 'assistant', 'result']);
    expect(r.events[0]).toMatchObject({ subtype: 'init', cwd, permissionMode: 'default' });
    expect(resultOf(r)).toMatchObject({ subtype: 'success', is_error: false, result: 'Hello from the stand-in.', num_turns: 1 });
    expect(api.requests.at(-1)!.lastUserText).toBe('say hello');
  });

  it('reports total_cost_usd for the whole session on --resume: it grows turn by turn', async () => {
    api.script(() => ({ kind: 'text', text: 'ok' }));
    const session = randomUUID();
    const costs: number[] = [];
    const first = await run(['-p', 'one', '--session-id', session]);
    costs.push(resultOf(first).total_cost_usd as number);
    const firstMessages = api.requests.at(-1)!.messageCount;
    for (const prompt of ['two', 'three']) costs.push(resultOf(await run(['-p', prompt, '--resume', session])).total_cost_usd as number);
    expect(costs[0]).toBeGreaterThan(0);
    expect(costs[1]).toBeCloseTo(costs[0]! * 2, 10);
    expect(costs[2]).toBeCloseTo(costs[0]! * 3, 10);
    // The session's history goes with each resumed run: two more messages a turn.
    expect(api.requests.at(-1)!.messageCount).toBe(firstMessages + 4);
  });

  it('reads a prompt that looks like a flag as a flag unless it follows --, as buildClaudeArgs puts it', async () => {
    api.script(() => ({ kind: 'text', text: 'ok' }));
    // -p is a switch (--print), not an option with a value: what follows it is parsed as flags.
    const unsafe = await runCli(cli.bin, ['-p', '--permission-mode=plan', ...STREAM, 'hello'], { cwd, env });
    expect(unsafe.events[0]).toMatchObject({ permissionMode: 'plan' });
    const r = await runCli(cli.bin, [...STREAM, '-p', '--', '--permission-mode=bypassPermissions'], { cwd, env });
    expect(r.code).toBe(0);
    expect(r.events[0]).toMatchObject({ permissionMode: 'default' });
    expect(api.requests.at(-1)!.lastUserText).toBe('--permission-mode=bypassPermissions');
  });

  it('runs an allowed Read and denies a Write in the default mode, still ending in success', async () => {
    api.script((req) => (req.toolResults.length ? { kind: 'text', text: 'done' } : { kind: 'tool_use', name: 'Write', input: { file_path: join(cwd, 'out.txt'), content: 'x' } }));
    const r = await run(['-p', 'write a file', '--allowedTools', 'Read']);
    expect(r.code).toBe(0);
    const denied = r.events.find((e) => e.type === 'system' && e.subtype === 'permission_denied');
    expect(denied).toMatchObject({ tool_name: 'Write', message: expect.stringMatching(/requested permissions to write .* but you haven't granted it yet/) });
    expect(resultOf(r)).toMatchObject({ subtype: 'success', is_error: false, permission_denials: [{ tool_name: 'Write', tool_input: { content: 'x' } }] });
    const summary = summarizeLines(r.stdout.split('\n'));
    expect(summary.permissionDenials).toBe(1);
  });

  it('ends --max-turns with error_max_turns, errors[] and no result, exit 1', async () => {
    api.script(() => ({ kind: 'tool_use', name: 'Read', input: { file_path: join(cwd, 'notes.txt') } }));
    const r = await run(['-p', 'loop', '--max-turns', '2', '--allowedTools', 'Read']);
    expect(r.code).toBe(1);
    const result = resultOf(r);
    expect(result).toMatchObject({ subtype: 'error_max_turns', is_error: true, errors: ['Reached maximum number of turns (2)'] });
    expect(result).not.toHaveProperty('result');
  });

  it('ends --max-budget-usd with error_max_budget_usd once a reply passes it, even a final one: errors[], no result, exit 1', async () => {
    for (const reply of [
      { kind: 'tool_use', name: 'Read', input: { file_path: join(cwd, 'notes.txt') } },
      { kind: 'text', text: 'a long answer', outputTokens: 5000 },
    ] as const) {
      api.script(() => reply);
      const before = api.requests.length;
      const r = await run(['-p', 'spend', '--max-budget-usd', '0.0001', '--allowedTools', 'Read']);
      expect(r.code).toBe(1);
      const result = resultOf(r);
      expect(result).toMatchObject({ subtype: 'error_max_budget_usd', is_error: true, terminal_reason: 'budget_exhausted', errors: ['Reached maximum budget ($0.0001)'] });
      expect(result).not.toHaveProperty('result');
      expect(result.total_cost_usd).toBeGreaterThan(0.0001);
      // Checked after each reply: the first one over the budget is the last request.
      expect(api.requests.length - before).toBe(1);
      expect(classifyTurn(summarizeLines(r.stdout.split('\n')), r.code)).toBe('failed');
    }
  });

  it('turns an API 429 into an error result with api_error_status 429 and exit 1', async () => {
    const reset = Math.floor(Date.now() / 1000) + 3600;
    api.script(() => ({ kind: 'error', status: 429, type: 'rate_limit_error', message: 'Rate limited', headers: usageLimitHeaders(reset) }));
    const r = await run(['-p', 'x']);
    expect(r.code).toBe(1);
    expect(resultOf(r)).toMatchObject({ is_error: true, api_error_status: 429, result: expect.stringContaining('429') });
    expect(summarizeLines(r.stdout.split('\n')).rateLimit).not.toBeNull();
  });

  it('accepts every flag buildClaudeArgs emits, with each value arriving as written', async () => {
    api.script(() => ({ kind: 'text', text: 'ok' }));
    const prompt = '--permission-mode=bypassPermissions -- $(touch /tmp/x) "quoted"';
    const extraDir = mkdtempSync(join(tmpdir(), 'sy-contract-add-dir-'));
    const args = buildClaudeArgs({
      prompt,
      sessionId: randomUUID(),
      resume: false,
      options: {
        model: 'claude-sonnet-4-5',
        fallbackModel: 'claude-haiku-4-5,claude-opus-4-1',
        permissionMode: 'plan',
        allowedTools: ['Read', 'Bash(git log:*)'],
        disallowedTools: ['WebFetch'],
        maxTurns: 3,
        maxBudgetUsd: 5,
        effort: 'medium',
        appendSystemPrompt: '--be-brief',
      },
      ceiling: { permissionModes: ['plan'], allowedTools: ['Read', 'Bash'], disallowedTools: ['WebSearch'] },
      workspaceOptions: {
        systemPrompt: '--you are the house assistant',
        addDirs: [extraDir],
        mcpConfig: { mcpServers: {} },
        settings: { env: { SY_CONTRACT_SETTING: '1' } },
      },
    });
    const r = await runCli(cli.bin, args, { cwd, env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.events[0]).toMatchObject({ subtype: 'init', permissionMode: 'plan', model: 'claude-sonnet-4-5' });
    const req = api.requests.at(-1)!;
    expect(req.lastUserText).toBe(prompt);
    const system = JSON.stringify(req.body.system);
    expect(system).toContain('--you are the house assistant');
    // --system-prompt replaced the default one, so the extra directory shows in the request, not the prompt.
    expect(JSON.stringify(req.body)).toContain(extraDir);
    // --effort is accepted here; it reaches the request for models that take it (the stack test's).
    const tools = (req.body.tools as { name: string }[]).map((t) => t.name);
    expect(tools).not.toContain('WebFetch');
    expect(tools).not.toContain('WebSearch');
  });

  it('splits a rule with parentheses inside its spec into several rules, which is why Switchyard refuses them', async () => {
    api.script((req) => (req.toolResults.length ? { kind: 'text', text: 'ran' } : { kind: 'tool_use', name: 'Bash', input: { command: 'touch sy-split-probe' } }));
    const r = await runCli(cli.bin, [...STREAM, '-p', '--allowedTools=Read(a(b),Bash,c)', '--', 'run true'], { cwd, env });
    // Bash ran without asking: the one "Read" rule reached claude as Read(a(b), Bash and c).
    expect(resultOf(r)).toMatchObject({ subtype: 'success', permission_denials: [] });
    const plain = await runCli(cli.bin, [...STREAM, '-p', '--allowedTools=Read', '--', 'run true'], { cwd, env });
    expect(resultOf(plain)).toMatchObject({ permission_denials: [{ tool_name: 'Bash' }] });
    expect(TOOL_RULE_PATTERN.test('Read(a(b),Bash,c)')).toBe(false);
    expect(TOOL_RULE_PATTERN.test('Bash(git log:*)')).toBe(true);
  });

  it('lets a workdir\'s own .claude settings widen what runs, unless only user settings are loaded, as buildClaudeArgs asks', async () => {
    const wd = mkdtempSync(join(tmpdir(), 'sy-contract-settings-'));
    mkdirSync(join(wd, '.claude'));
    writeFileSync(join(wd, '.claude', 'settings.local.json'), JSON.stringify({ permissions: { allow: ['Bash'] } }));
    api.script((req) => (req.toolResults.length ? { kind: 'text', text: 'ran' } : { kind: 'tool_use', name: 'Bash', input: { command: 'touch sy-settings-probe' } }));
    const widened = await runCli(cli.bin, [...STREAM, '-p', '--', 'run it'], { cwd: wd, env });
    expect(resultOf(widened)).toMatchObject({ permission_denials: [] });
    const args = buildClaudeArgs({ prompt: 'run it', sessionId: randomUUID(), resume: false, options: {} });
    const held = await runCli(cli.bin, args, { cwd: wd, env });
    expect(resultOf(held)).toMatchObject({ permission_denials: [{ tool_name: 'Bash' }] });
  });
});
