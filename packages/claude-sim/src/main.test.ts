import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { claudeSimBin } from './index.ts';

// The real executable as a subprocess, the way the agent runs it: no mocks.
const state = mkdtempSync(join(tmpdir(), 'claude-sim-test-'));
afterAll(() => rmSync(state, { recursive: true, force: true }));

const STREAM = ['-p', '--output-format', 'stream-json', '--verbose'];

type Event = Record<string, any>;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  events: Event[];
}

/** Every stdout line must be one JSON object: a line that is not fails the test right here. */
function parseLines(stdout: string): Event[] {
  expect(stdout === '' || stdout.endsWith('\n')).toBe(true);
  return stdout
    .split('\n')
    .slice(0, -1)
    .map((line) => {
      const value = JSON.parse(line) as unknown;
      expect(value).toBeTypeOf('object');
      return value as Event;
    });
}

function start(args: string[], opts: { input?: string; cwd?: string } = {}) {
  const child = spawn(process.execPath, [claudeSimBin, ...args], {
    env: { ...process.env, CLAUDE_SIM_STATE_DIR: state },
    cwd: opts.cwd,
    stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (opts.input !== undefined) child.stdin!.end(opts.input);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const done = new Promise<Omit<Run, 'events'>>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done, stdout: () => stdout };
}

async function sim(args: string[], opts: { input?: string; cwd?: string } = {}): Promise<Run> {
  const r = await start(args, opts).done;
  const streaming = args.includes('stream-json') && r.code !== null;
  return { ...r, events: streaming ? parseLines(r.stdout) : [] };
}

const assistantBlocks = (events: Event[]) =>
  events.filter((e) => e.type === 'assistant').flatMap((e) => e.message.content as Event[]);

/** Waits until the output so far satisfies `test`, or fails after `ms`. */
async function until(read: () => string, test: (s: string) => boolean, ms = 5000) {
  const deadline = Date.now() + ms;
  while (!test(read())) {
    if (Date.now() > deadline) throw new Error(`timed out; output so far: ${read()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.concurrent('claude-sim command line', () => {
  it('refuses stream-json with -p but without --verbose, as the real CLI does', async () => {
    const r = await sim(['-p', '--output-format', 'stream-json', 'hi']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'Error: When using --print, --output-format=stream-json requires --verbose\n',
    );
    expect(r.stdout).toBe('');
  });

  it('prints a version that says it is a sim', async () => {
    const r = await sim(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('2.0.0-sim (Claude Code)\n');
  });

  it('refuses unknown options the way commander does', async () => {
    const r = await sim([...STREAM, '--frobnicate', 'x']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("error: unknown option '--frobnicate'\n");
  });

  it('accepts the full argv the agent builds, variadic tool lists ended by --', async () => {
    const id = randomUUID();
    // What buildClaudeArgs in @switchyard/core makes of a task with every option set.
    const r = await sim([
      ...STREAM,
      '--session-id', id,
      '--model', 'opus', '--fallback-model', 'sonnet', '--permission-mode', 'acceptEdits',
      '--allowedTools', 'Bash(git log:*)', 'Read', '--disallowedTools', 'WebFetch',
      '--max-turns', '5', '--max-budget-usd', '2.5', '--append-system-prompt', '-- be brief',
      '--', '--help me\n@sim echo',
    ]); // prettier-ignore
    expect(r.code).toBe(0);
    expect(r.events[0]).toMatchObject({
      type: 'system',
      subtype: 'init',
      session_id: id,
      model: 'opus',
      permissionMode: 'acceptEdits',
    });
    expect(r.events[0]!.tools).not.toContain('WebFetch');
    expect(assistantBlocks(r.events)[0]!.text).toBe('--help me\n@sim echo');
  });

  it('takes the prompt before the flags, and from stdin when there is none', async () => {
    const first = await sim([
      '-p',
      '@sim say positional',
      '--output-format',
      'stream-json',
      '--verbose',
    ]);
    expect(first.events.at(-1)).toMatchObject({ type: 'result', result: 'positional' });
    const piped = await sim(STREAM, { input: '@sim say from stdin\n' });
    expect(piped.events.at(-1)).toMatchObject({ type: 'result', result: 'from stdin' });
    const none = await sim(STREAM, { input: '' });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('Input must be provided either through stdin or as a prompt');
  });

  it('requires --session-id to be a UUID', async () => {
    const r = await sim([...STREAM, '--session-id', 'not-a-uuid', 'x']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('Error: Invalid session ID. Must be a valid UUID.\n');
  });

  it('refuses to resume a session it never saw, and to start one twice', async () => {
    const unknown = randomUUID();
    const r = await sim([...STREAM, '--resume', unknown, 'x']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`No conversation found with session ID: ${unknown}\n`);
    expect(r.stdout).toBe('');

    const id = randomUUID();
    expect((await sim([...STREAM, '--session-id', id, 'x'])).code).toBe(0);
    expect((await sim([...STREAM, '--resume', id, 'x'])).code).toBe(0);
    const again = await sim([...STREAM, '--session-id', id, 'x']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`Session ID ${id} is already in use`);
  });

  it('prints only the result object with json, only its text with text', async () => {
    const json = await sim(['-p', '--output-format', 'json', '@sim say one\n@sim say two']);
    const lines = json.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ type: 'result', result: 'two', is_error: false });
    const text = await sim(['-p', '@sim say one\n@sim say two']);
    expect(text.stdout).toBe('two\n');
  });
});

describe.concurrent('claude-sim transcripts', () => {
  it('writes a plausible transcript without directives', async () => {
    const id = randomUUID();
    const cwd = mkdtempSync(join(tmpdir(), 'claude-sim-cwd-'));
    const r = await sim([...STREAM, '--session-id', id, '--', 'Fix the failing test'], { cwd });
    rmSync(cwd, { recursive: true, force: true });
    expect(r.code).toBe(0);
    expect(r.events.map((e) => e.type)).toEqual([
      'system',
      'assistant',
      'assistant',
      'user',
      'assistant',
      'result',
    ]);
    expect(r.events[0]).toMatchObject({
      subtype: 'init',
      cwd,
      session_id: id,
      model: expect.any(String),
      tools: expect.arrayContaining(['Bash', 'Read', 'TodoWrite']),
      mcp_servers: [],
      permissionMode: 'default',
      apiKeySource: expect.any(String),
      claude_code_version: '2.0.0-sim',
    });
    const use = r.events[2]!.message.content[0];
    expect(r.events[3]!.message.content[0]).toMatchObject({
      type: 'tool_result',
      tool_use_id: use.id,
    });
    const result = r.events.at(-1)!;
    expect(result).toMatchObject({
      subtype: 'success',
      is_error: false,
      result: r.events[4]!.message.content[0].text,
      num_turns: expect.any(Number),
      duration_ms: expect.any(Number),
      duration_api_ms: expect.any(Number),
      permission_denials: [],
      usage: {
        input_tokens: expect.any(Number),
        output_tokens: expect.any(Number),
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
      },
    });
    expect(result.total_cost_usd).toBeGreaterThan(0);
    expect(result.total_cost_usd).toBeLessThan(0.01);
    expect(result.modelUsage[r.events[0]!.model].costUSD).toBe(result.total_cost_usd);
    for (const e of r.events) {
      expect(e.session_id).toBe(id);
      expect(e.uuid).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('echoes a hostile prompt back byte for byte', async () => {
    const prompt = [
      '@sim echo',
      `"double" 'single' $(rm -rf /) \`id\` ; echo $HOME && exit 1 | cat`,
      'C-c Enter Escape \u0001\u0007\u001b[31m\t\r ünïcødé 🚀 \\n %s',
      '--help  ',
      '',
    ].join('\n');
    const r = await sim([...STREAM, '--allowedTools', 'Bash(git log:*)', 'Read', '--', prompt]);
    expect(r.code).toBe(0);
    expect(assistantBlocks(r.events)[0]).toEqual({ type: 'text', text: prompt });
    expect(r.events.at(-1)!.result).toBe(prompt);
  });

  it('ends --max-budget-usd as the real CLI does: checked after each reply, the first over it the last', async () => {
    // Each message costs 0.0005: the tool call's reply passes 0.0006 once the second is made, so
    // no third reply comes; a final answer over the budget is a budget error too, not a success.
    const tools = await sim([...STREAM, '--allowedTools', 'Read', '--max-budget-usd', '0.0006', '--', '@sim tool Read\n@sim tool Read\n@sim say done']);
    const final = await sim([...STREAM, '--max-budget-usd', '0.0001', '--', '@sim say a long answer']);
    const under = await sim([...STREAM, '--max-budget-usd', '2.5', '--', '@sim say cheap']);
    for (const r of [tools, final]) {
      expect(r.code).toBe(1);
      expect(r.events.at(-1)).toMatchObject({
        type: 'result',
        subtype: 'error_max_budget_usd',
        is_error: true,
        terminal_reason: 'budget_exhausted',
        errors: [expect.stringMatching(/^Reached maximum budget \(\$0\.000[16]\)$/)],
      });
      expect(r.events.at(-1)).not.toHaveProperty('result');
    }
    expect(assistantBlocks(tools.events).map((b) => b.type)).toEqual(['tool_use', 'tool_use']);
    expect(under).toMatchObject({ code: 0 });
    expect(under.events.at(-1)).toMatchObject({ subtype: 'success', result: 'cheap' });
  });

  it('says, uses tools, writes todos and sets the cost', async () => {
    const r = await sim([...STREAM, '--allowedTools', 'Bash', '--', '@sim say hello\n@sim tool Bash\n@sim todo\n@sim cost 1.25']);
    expect(r.code).toBe(0);
    const blocks = assistantBlocks(r.events);
    expect(blocks[0]).toEqual({ type: 'text', text: 'hello' });
    expect(blocks[1]).toMatchObject({
      type: 'tool_use',
      name: 'Bash',
      input: { command: expect.any(String) },
    });
    expect(blocks[2]).toMatchObject({ type: 'tool_use', name: 'TodoWrite' });
    for (const todo of blocks[2]!.input.todos) {
      expect(todo).toEqual({
        content: expect.any(String),
        status: expect.any(String),
        activeForm: expect.any(String),
      });
    }
    const results = r.events.filter((e) => e.type === 'user').map((e) => e.message.content[0]);
    expect(results.map((c) => c.tool_use_id)).toEqual([blocks[1]!.id, blocks[2]!.id]);
    // As in the real CLI, a tool result that worked carries no is_error at all.
    expect(results.every((c) => c.type === 'tool_result' && !('is_error' in c))).toBe(true);
    expect(r.events.at(-1)).toMatchObject({
      type: 'result',
      is_error: false,
      result: 'hello',
      total_cost_usd: 1.25,
    });
  });

  it('reports the session running total as total_cost_usd on --resume, as the real CLI does', async () => {
    const id = randomUUID();
    const first = await sim([...STREAM, '--session-id', id, '@sim cost 0.25']);
    const second = await sim([...STREAM, '--resume', id, '@sim cost 0.5']);
    const third = await sim([...STREAM, '--resume', id, '@sim cost 0.25']);
    expect([first, second, third].map((r) => r.events.at(-1)!.total_cost_usd)).toEqual([0.25, 0.75, 1]);
  });

  it('denies writes and Bash in the modes that ask, and lets acceptEdits write, as claude -p does', async () => {
    const asks = await sim([...STREAM, '@sim tool Write\n@sim tool Bash\n@sim tool Read']);
    expect(asks.events.filter((e) => e.subtype === 'permission_denied').map((e) => e.tool_name)).toEqual(['Write', 'Bash']);
    expect(asks.events.at(-1)!.permission_denials.map((d: { tool_name: string }) => d.tool_name)).toEqual(['Write', 'Bash']);
    const edits = await sim([...STREAM, '--permission-mode', 'acceptEdits', '--', '@sim tool Write\n@sim tool Bash']);
    expect(edits.events.at(-1)!.permission_denials.map((d: { tool_name: string }) => d.tool_name)).toEqual(['Bash']);
    const ruled = await sim([...STREAM, '--allowedTools', 'Bash(git log:*)', '--', '@sim tool Bash']);
    expect(ruled.events.at(-1)!.permission_denials).toEqual([]);
  });

  it('denies a tool named in --disallowedTools, as -p mode does', async () => {
    const r = await sim([...STREAM, '--disallowedTools', 'Bash', '--', '@sim tool Bash']);
    const denied = r.events.find((e) => e.type === 'user')!.message.content[0];
    expect(denied.is_error).toBe(true);
    expect(r.events.at(-1)!.permission_denials).toEqual([
      { tool_name: 'Bash', tool_use_id: denied.tool_use_id, tool_input: expect.any(Object) },
    ]);
  });

  it('writes N lines of about BYTES bytes each', async () => {
    const r = await sim([...STREAM, '@sim lines 5 300']);
    const texts = assistantBlocks(r.events).map((b) => b.text as string);
    expect(texts).toHaveLength(5);
    for (const text of texts) expect(Buffer.byteLength(text)).toBe(300);
  });

  it('writes every line of a long transcript through a pipe before it exits', async () => {
    const r = await sim([...STREAM, '@sim lines 20000 200']);
    expect(r.code).toBe(0);
    expect(r.events.filter((e) => e.type === 'assistant')).toHaveLength(20000);
    expect(r.events.at(-1)!.type).toBe('result');
  });

  it('exits with the code @sim exit asks for, after the result', async () => {
    const r = await sim([...STREAM, '@sim say before\n@sim exit 3\n@sim say never']);
    expect(r.code).toBe(3);
    expect(r.events.at(-1)).toMatchObject({ type: 'result', result: 'before', is_error: false });
    expect(r.stdout).not.toContain('never');
    // An error on stdout with exit 0, as some CLI versions do.
    const quiet = await sim([...STREAM, '@sim fail boom\n@sim exit 0']);
    expect(quiet.code).toBe(0);
    expect(quiet.events.at(-1)!.is_error).toBe(true);
  });

  it('fails like an API error: subtype success, is_error true, exit 1', async () => {
    const r = await sim([
      ...STREAM,
      '@sim say trying\n@sim fail upstream exploded\n@sim say never',
    ]);
    expect(r.code).toBe(1);
    const result = r.events.at(-1)!;
    expect(result).toMatchObject({
      type: 'result',
      subtype: 'success',
      is_error: true,
      terminal_reason: 'api_error',
      api_error_status: 500,
    });
    expect(result.result).toMatch(/^API Error: 500 \{.*upstream exploded.*\}$/);
    expect(r.stdout).not.toContain('never');
  });

  it('streams each line as it is made', async () => {
    // Still running, with no result yet: the line reached the pipe when it was made, not at exit.
    const run = start([...STREAM, '@sim say first\n@sim hang']);
    await until(run.stdout, (s) => s.includes('"first"'));
    expect(run.child.exitCode).toBeNull();
    expect(run.stdout()).not.toContain('"type":"result"');
    run.child.kill('SIGKILL');
    expect((await run.done).signal).toBe('SIGKILL');
  });
});

describe('claude-sim sessions and signals', () => {
  it('continues an interrupted run when resumed with plain words, as the session holds its prompt', async () => {
    const id = randomUUID();
    const first = await sim([...STREAM, '--session-id', id, '@sim rate_limit 30\n@sim say after the limit']);
    expect(first.code).toBe(1);
    const resumed = await sim([...STREAM, '--resume', id, 'Continue where you stopped.']);
    expect(resumed.code).toBe(0);
    expect(resumed.events.at(-1)).toMatchObject({ is_error: false, result: 'after the limit' });
    const next = await sim([...STREAM, '--resume', id, 'Something new.']);
    expect(next.events.at(-1)!.result).not.toBe('after the limit');
  });

  it('rate-limits the first TIMES runs of a session, counting --resume runs too', async () => {
    const id = randomUUID();
    const prompt = '@sim rate_limit 30 2\n@sim say after the limit';
    const before = Math.floor(Date.now() / 1000);
    const first = await sim([...STREAM, '--session-id', id, prompt]);
    expect(first.code).toBe(1);
    const event = first.events.find((e) => e.type === 'rate_limit_event')!;
    expect(event.session_id).toBe(id);
    const resetsAt = event.rate_limit_info.resetsAt as number;
    expect(resetsAt).toBeGreaterThanOrEqual(before + 30);
    expect(resetsAt).toBeLessThanOrEqual(before + 32);
    expect(event.rate_limit_info).toEqual({
      status: 'rejected',
      resetsAt,
      rateLimitType: 'five_hour',
      overageStatus: 'rejected',
      isUsingOverage: false,
    });
    const said = first.events.find((e) => e.type === 'assistant')!;
    expect(said.error).toBe('rate_limit');
    // The real CLI's wording (2.1.332, a subscription login): "You've hit your 5-hour limit · resets 4:04am (UTC)".
    expect(said.message.content[0].text).toMatch(/^You've hit your 5-hour limit · resets \d{1,2}:\d\d(am|pm) \(UTC\)$/);
    expect(first.events.at(-1)).toMatchObject({
      type: 'result',
      subtype: 'success',
      is_error: true,
      result: said.message.content[0].text,
      api_error_status: 429,
      api_error: 'usage_limit_reached',
    });
    expect(first.stdout).not.toContain('after the limit');

    const second = await sim([...STREAM, '--resume', id, prompt]);
    expect(second.code).toBe(1);
    expect(second.events.some((e) => e.type === 'rate_limit_event')).toBe(true);

    const third = await sim([...STREAM, '--resume', id, prompt]);
    expect(third.code).toBe(0);
    expect(third.events.some((e) => e.type === 'rate_limit_event')).toBe(false);
    expect(third.events.at(-1)).toMatchObject({ is_error: false, result: 'after the limit' });
  });

  it('sleeps for fractional seconds', async () => {
    const t0 = Date.now();
    const r = await sim([...STREAM, '@sim sleep 0.5\n@sim say awake']);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(500);
    expect(r.events.at(-1)!.result).toBe('awake');
  });

  it('hangs until SIGINT, then exits 130, leaving no process behind', async () => {
    const run = start([...STREAM, '@sim say waiting\n@sim hang']);
    await until(run.stdout, (s) => s.includes('"waiting"'));
    const pid = run.child.pid!;
    expect(childrenOf(pid)).toEqual([]);
    await new Promise((r) => setTimeout(r, 300));
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code).toBe(130);
    expect(r.stdout).not.toContain('"result"');
  });

  it('dies on SIGTERM while hanging', async () => {
    const run = start([...STREAM, '@sim hang']);
    await until(run.stdout, (s) => s.includes('"init"'));
    run.child.kill('SIGTERM');
    expect((await run.done).code).toBe(143);
  });

  it('keeps one state file per session, so concurrent sessions never share a counter', async () => {
    const ids = Array.from({ length: 6 }, () => randomUUID());
    const prompt = '@sim rate_limit 30\n@sim say ok';
    const runs = await Promise.all(ids.map((id) => sim([...STREAM, '--session-id', id, prompt])));
    expect(runs.map((r) => r.code)).toEqual(ids.map(() => 1));
    const resumed = await Promise.all(ids.map((id) => sim([...STREAM, '--resume', id, prompt])));
    expect(resumed.map((r) => r.code)).toEqual(ids.map(() => 0));
    const files = readdirSync(state);
    for (const id of ids) expect(files).toContain(`${id}.json`);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

function childrenOf(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}
