import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs, UsageError, type SimArgs } from './args.ts';
import { parseScript, type Directive } from './script.ts';
import { loadSession, saveSession, stateDir } from './state.ts';

export const SIM_VERSION = '2.0.0-sim';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TOOLS = ['Task', 'Bash', 'Glob', 'Grep', 'Read', 'Edit', 'Write', 'WebFetch', 'TodoWrite', 'WebSearch'];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function fail(message: string, code = 1): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

class Transcript {
  private readonly started = Date.now();
  private turns = 0;
  lastText = '';
  cost: number | null = null;
  outputTokens = 0;

  constructor(
    private readonly args: SimArgs,
    readonly sessionId: string,
    private readonly model: string,
  ) {}

  emit(event: Record<string, unknown>): void {
    if (this.args.outputFormat !== 'stream-json') return;
    // Pipes and files are written synchronously on Linux: a tailer sees each line as it is made.
    process.stdout.write(`${JSON.stringify({ ...event, session_id: this.sessionId, uuid: randomUUID() })}\n`);
  }

  init(cwd: string): void {
    this.emit({
      type: 'system',
      subtype: 'init',
      cwd,
      tools: TOOLS,
      mcp_servers: [],
      model: this.model,
      permissionMode: this.args.permissionMode ?? 'default',
      slash_commands: [],
      apiKeySource: 'none',
      claude_code_version: SIM_VERSION,
      output_style: 'default',
      agents: [],
    });
  }

  private assistant(content: Record<string, unknown>[], extra: Record<string, unknown> = {}): void {
    this.turns += 1;
    const outputTokens = 8 + content.length * 12;
    this.outputTokens += outputTokens;
    this.emit({
      type: 'assistant',
      message: {
        id: `msg_sim_${randomUUID().slice(0, 12)}`,
        type: 'message',
        role: 'assistant',
        model: this.model,
        content,
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 12, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: outputTokens, service_tier: 'standard' },
      },
      parent_tool_use_id: null,
      ...extra,
    });
  }

  say(text: string, extra: Record<string, unknown> = {}): void {
    this.lastText = text;
    this.assistant([{ type: 'text', text }], extra);
  }

  tool(name: string, input: Record<string, unknown>, result: string): void {
    const id = `toolu_sim_${randomUUID().replace(/-/g, '').slice(0, 20)}`;
    this.assistant([{ type: 'tool_use', id, name, input }]);
    this.emit({
      type: 'user',
      message: { role: 'user', content: [{ tool_use_id: id, type: 'tool_result', content: result, is_error: false }] },
      parent_tool_use_id: null,
    });
  }

  result(opts: { isError: boolean; text: string; extra?: Record<string, unknown> }): Record<string, unknown> {
    const cost = this.cost ?? +(0.0005 * Math.max(1, this.turns)).toFixed(6);
    const usage = { input_tokens: 12 * Math.max(1, this.turns), cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: this.outputTokens, server_tool_use: { web_search_requests: 0 }, service_tier: 'standard' };
    const result = {
      type: 'result',
      subtype: 'success',
      is_error: opts.isError,
      duration_ms: Date.now() - this.started,
      duration_api_ms: Math.round((Date.now() - this.started) * 0.8),
      num_turns: Math.max(1, this.turns),
      result: opts.text,
      total_cost_usd: cost,
      usage,
      modelUsage: {
        [this.model]: { inputTokens: usage.input_tokens, outputTokens: usage.output_tokens, cacheReadInputTokens: 0, cacheCreationInputTokens: 0, webSearchRequests: 0, costUSD: cost, contextWindow: 200000 },
      },
      permission_denials: [],
      ...opts.extra,
    };
    this.emit(result);
    return { ...result, session_id: this.sessionId };
  }
}

function toolInput(name: string): Record<string, unknown> {
  switch (name) {
    case 'Bash':
      return { command: 'ls -la', description: 'List files' };
    case 'Read':
      return { file_path: `${process.cwd()}/README.md` };
    case 'Write':
    case 'Edit':
      return { file_path: `${process.cwd()}/notes.txt`, content: 'simulated' };
    case 'Grep':
      return { pattern: 'TODO' };
    default:
      return { description: `simulated ${name} call` };
  }
}

function readPrompt(args: SimArgs): string {
  if (args.prompt !== undefined) return args.prompt;
  if (!process.stdin.isTTY) {
    try {
      const text = readFileSync(0, 'utf8');
      if (text.length > 0) return text;
    } catch {
      // no stdin
    }
  }
  return fail('Error: Input must be provided either through stdin or as a prompt argument when using --print');
}

async function main(): Promise<number> {
  let args: SimArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) fail(err.message);
    throw err;
  }
  if (args.version) {
    process.stdout.write(`${SIM_VERSION} (Claude Code)\n`);
    return 0;
  }
  if (!args.print) fail('claude-sim only runs headless: pass -p (--print)');
  if (args.outputFormat === 'stream-json' && !args.verbose) {
    fail('Error: When using --print, --output-format=stream-json requires --verbose');
  }
  if (args.sessionId && args.resume) fail('Error: --session-id cannot be used with --resume');
  if (args.sessionId && !UUID.test(args.sessionId)) fail('Error: Invalid session ID. Must be a valid UUID.');

  const dir = stateDir();
  let sessionId: string;
  if (args.resume) {
    if (!loadSession(dir, args.resume)) fail(`No conversation found with session ID: ${args.resume}`);
    sessionId = args.resume;
  } else if (args.sessionId) {
    if (loadSession(dir, args.sessionId)) fail(`Error: Session ID ${args.sessionId} is already in use.`);
    sessionId = args.sessionId;
  } else {
    sessionId = randomUUID();
  }
  const prompt = readPrompt(args);
  const session = loadSession(dir, sessionId) ?? { sessionId, runs: 0, createdAt: Date.now() };
  const priorRuns = session.runs;
  saveSession(dir, { ...session, runs: priorRuns + 1 });

  process.on('SIGINT', () => process.exit(130));
  process.on('SIGTERM', () => process.exit(143));

  const t = new Transcript(args, sessionId, args.model ?? 'claude-sonnet-4-5-sim');
  t.init(process.cwd());
  const script = parseScript(prompt);
  if (script.length === 0) {
    t.say("I'll take a look at the workspace first.");
    t.tool('Read', toolInput('Read'), 'file contents (simulated)');
    t.say('Done: this is a simulated answer from claude-sim.');
    return finish(t, args, t.result({ isError: false, text: t.lastText }), 0);
  }

  let exitCode = 0;
  for (const d of script) {
    const outcome = await run(d, t, prompt, priorRuns);
    // A pending promise alone would let Node exit: hold the loop open until a signal ends it.
    if (outcome === 'hang') await new Promise(() => setInterval(() => undefined, 60_000));
    if (typeof outcome === 'object') return finish(t, args, outcome.result, outcome.code);
    if (d.kind === 'exit') exitCode = d.code;
  }
  const isError = exitCode !== 0;
  return finish(t, args, t.result({ isError, text: t.lastText || 'Done.' }), exitCode);
}

type Outcome = void | 'hang' | { result: Record<string, unknown>; code: number };

async function run(d: Directive, t: Transcript, prompt: string, priorRuns: number): Promise<Outcome> {
  switch (d.kind) {
    case 'sleep':
      await sleep(d.seconds * 1000);
      return;
    case 'say':
      t.say(d.text);
      return;
    case 'echo':
      t.say(prompt);
      return;
    case 'tool':
      t.tool(d.name, toolInput(d.name), `${d.name} finished (simulated)`);
      return;
    case 'lines': {
      for (let i = 1; i <= d.count; i++) {
        const head = `line ${i} of ${d.count} `;
        t.say(head + 'x'.repeat(Math.max(0, d.bytes - head.length)));
      }
      return;
    }
    case 'cost':
      t.cost = d.usd;
      return;
    case 'exit':
      return;
    case 'hang':
      return 'hang';
    case 'todo':
      t.tool(
        'TodoWrite',
        {
          todos: [
            { content: 'Read the code', status: 'completed', activeForm: 'Reading the code' },
            { content: 'Make the change', status: 'in_progress', activeForm: 'Making the change' },
            { content: 'Run the tests', status: 'pending', activeForm: 'Running the tests' },
          ],
        },
        'Todos have been modified successfully.',
      );
      return;
    case 'rate_limit': {
      if (priorRuns >= d.times) return;
      const resetsAt = Math.floor(Date.now() / 1000 + d.seconds);
      const text = `Claude AI usage limit reached|${resetsAt}`;
      t.emit({ type: 'rate_limit_event', rate_limit_info: { status: 'rejected', resetsAt, rateLimitType: 'five_hour', overageStatus: 'rejected', isUsingOverage: false } });
      t.say(text, { error: 'rate_limit' });
      return { result: t.result({ isError: true, text }), code: 1 };
    }
    case 'fail': {
      const text = `API Error: 500 {"type":"error","error":{"type":"api_error","message":${JSON.stringify(d.text)}}}`;
      t.say(text, { error: 'server_error' });
      return { result: t.result({ isError: true, text, extra: { terminal_reason: 'api_error', api_error_status: 500 } }), code: 1 };
    }
  }
}

function finish(t: Transcript, args: SimArgs, result: Record<string, unknown>, code: number): number {
  if (args.outputFormat === 'json') process.stdout.write(`${JSON.stringify(result)}\n`);
  if (args.outputFormat === 'text') process.stdout.write(`${String(result.result ?? '')}\n`);
  void t;
  return code;
}

main().then(
  // Not process.exit(): stdout to a pipe is asynchronous, and exiting would drop what is queued.
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => fail(`claude-sim: ${err instanceof Error ? err.stack : String(err)}`),
);
