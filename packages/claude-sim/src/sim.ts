import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs, UsageError, type SimArgs } from './args.ts';
import { parseScript, type Directive } from './script.ts';
import { SessionStore } from './session-store.ts';
import { apiErrorEnding, usageLimitText } from './api-errors.ts';
import { askPromptTool } from './permission-prompt.ts';
import { toolCall } from './tool-calls.ts';
import { MaxBudgetReached, MaxTurnsReached } from './run-limits.ts';
import { DEFAULT_MODEL, SIM_VERSION, Transcript, type ToolCall } from './transcript.ts';

/** Everything a run touches, handed in so the program itself holds no process globals. */
export interface SimIo {
  argv: readonly string[];
  cwd: string;
  stateDir: string;
  stdinIsTTY: boolean;
  /** Reads all of stdin; only called when no prompt argument was given. */
  readStdin: () => string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const HELP = `Usage: claude-sim -p [options] [--] [prompt]

A scripted stand-in for the claude CLI (${SIM_VERSION}). Prompt lines starting with @sim script it:
sleep S, say TEXT, echo, tool NAME, ask NAME, lines N [BYTES], cost USD, exit CODE, hang, todo,
rate_limit SECONDS [TIMES], api_error STATUS, fail TEXT. See packages/claude-sim/README.md.

Options:
  -p, --print                      print the response and exit (required)
  --output-format <format>         text, json or stream-json (stream-json needs --verbose)
  --verbose                        required with -p --output-format stream-json
  --session-id <uuid>              start a new session with this id
  -r, --resume <sessionId>         continue a session
  --model, --fallback-model <model>
  --permission-mode <mode>         acceptEdits, bypassPermissions, default, dontAsk, plan
  --allowedTools, --disallowedTools <tools...>
  --max-turns <n>, --max-budget-usd <usd>, --append-system-prompt <text>
  -v, --version                    print the version
`;

class Refusal extends Error {
  constructor(
    message: string,
    readonly code = 1,
  ) {
    super(message);
  }
}

/** Runs the sim once and resolves with its exit code; `@sim hang` never resolves. */
export async function runSim(io: SimIo): Promise<number> {
  try {
    return await run(io);
  } catch (err) {
    if (err instanceof Refusal || err instanceof UsageError) {
      io.stderr(`${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

async function run(io: SimIo): Promise<number> {
  const args = parseArgs(io.argv);
  if (args.help) {
    io.stdout(HELP);
    return 0;
  }
  if (args.version) {
    io.stdout(`${SIM_VERSION} (Claude Code)\n`);
    return 0;
  }
  if (!args.print) throw new Refusal('claude-sim only runs headless: pass -p (--print)');
  if (args.outputFormat === 'stream-json' && !args.verbose) {
    throw new Refusal('Error: When using --print, --output-format=stream-json requires --verbose');
  }
  if (args.sessionId !== undefined && args.resume !== undefined) {
    throw new Refusal(
      'Error: --session-id can only be used with --continue or --resume if --fork-session is also specified.',
    );
  }
  if (args.sessionId !== undefined && !UUID.test(args.sessionId)) {
    throw new Refusal('Error: Invalid session ID. Must be a valid UUID.');
  }

  const store = new SessionStore(io.stateDir);
  const sessionId = args.resume ?? args.sessionId ?? randomUUID();
  if (args.resume !== undefined && !store.get(args.resume)) {
    throw new Refusal(`No conversation found with session ID: ${args.resume}`);
  }
  if (args.sessionId !== undefined && store.get(args.sessionId)) {
    throw new Refusal(`Error: Session ID ${args.sessionId} is already in use.`);
  }
  const prompt = readPrompt(args, io);
  const run = store.startRun(sessionId);

  const t = new Transcript({
    sessionId,
    model: args.model ?? DEFAULT_MODEL,
    cwd: io.cwd,
    permissionMode: args.permissionMode ?? 'default',
    disallowedTools: args.disallowedTools,
    allowedTools: args.allowedTools,
    maxTurns: args.maxTurns,
    maxBudgetUsd: args.maxBudgetUsd,
    priorCostUsd: run.costUsd,
    emit:
      args.outputFormat === 'stream-json'
        ? (event) => io.stdout(`${JSON.stringify(event)}\n`)
        : () => undefined,
  });
  // A resume without directives after an interrupted run continues that run's prompt, as the
  // real session holds it (Switchyard resumes a retried turn with a short continuation).
  const continued = args.resume !== undefined && run.pendingPrompt !== null && parseScript(prompt).directives.length === 0;
  const played = continued ? run.pendingPrompt! : prompt;
  const script = parseScript(played);
  for (const line of script.unknown) io.stderr(`claude-sim: ignoring unknown directive: ${line}\n`);
  // The code of the first `@sim exit` line wins even when fail or rate_limit ends the run first,
  // so a test can play the CLI versions that exit 0 with the error only on stdout.
  const exitLine = script.directives.find((d) => d.kind === 'exit');
  const exitOverride = exitLine?.kind === 'exit' ? exitLine.code : null;

  t.init();
  const ending = await play(t, script.directives, { args, t, prompt: played, sessionId, store, cwd: io.cwd });

  const interrupted = ending.result.is_error === true && ending.result.api_error_status !== undefined;
  store.endRun(sessionId, t.runCostUsd, interrupted ? played : null);
  if (args.outputFormat === 'json') io.stdout(`${JSON.stringify(ending.result)}\n`);
  if (args.outputFormat === 'text') io.stdout(`${String(ending.result.result)}\n`);
  return exitOverride ?? ending.code;
}

/** Plays the directives (or a plain turn); --max-turns and --max-budget-usd end the run early, as in the real CLI. */
async function play(t: Transcript, directives: Directive[], ctx: RunContext): Promise<Ending> {
  try {
    return directives.length === 0 ? plainTurn(t, ctx.cwd) : await runDirectives(directives, ctx);
  } catch (err) {
    if (err instanceof MaxTurnsReached) return { result: t.maxTurnsResult(err), code: 1 };
    if (err instanceof MaxBudgetReached) return { result: t.maxBudgetResult(err), code: 1 };
    throw err;
  }
}

function readPrompt(args: SimArgs, io: SimIo): string {
  if (args.prompt !== undefined) return args.prompt;
  const piped = io.stdinIsTTY ? '' : io.readStdin();
  if (piped.length === 0) {
    throw new Refusal(
      'Error: Input must be provided either through stdin or as a prompt argument when using --print',
    );
  }
  return piped;
}

interface Ending {
  result: Record<string, unknown>;
  code: number;
}

interface RunContext {
  args: SimArgs;
  t: Transcript;
  prompt: string;
  sessionId: string;
  store: SessionStore;
  cwd: string;
}

/** A prompt without directives: a short, plausible piece of work. */
function plainTurn(t: Transcript, cwd: string): Ending {
  t.say("I'll look at the workspace first.");
  t.tool(toolCall('Read', cwd));
  t.say('Done. This answer comes from claude-sim, a stand-in for Claude Code.');
  return { result: t.result({ isError: false, text: t.lastText }), code: 0 };
}

/**
 * `@sim ask NAME`: a call that, where the mode would ask and `--permission-prompt-tool` is given,
 * asks that tool and waits for its answer, as the real CLI does; otherwise the same as `tool`.
 */
async function ask(t: Transcript, call: ToolCall, args: SimArgs): Promise<void> {
  if (!args.permissionPromptTool || !t.asks(call.name)) return t.tool(call);
  const id = Transcript.toolUseId();
  const answer = await askPromptTool(args.mcpConfigs, args.permissionPromptTool, { tool_name: call.name, input: call.input, tool_use_id: id });
  t.tool(call, { id, answer });
}

async function runDirectives(directives: Directive[], ctx: RunContext): Promise<Ending> {
  const { t } = ctx;
  for (const d of directives) {
    switch (d.kind) {
      case 'sleep':
        await sleep(d.seconds * 1000);
        break;
      case 'say':
        t.say(d.text);
        break;
      case 'echo':
        t.say(ctx.prompt);
        break;
      case 'tool':
        t.tool(toolCall(d.name, ctx.cwd));
        break;
      case 'ask':
        await ask(t, toolCall(d.name, ctx.cwd), ctx.args);
        break;
      case 'todo':
        t.tool(toolCall('TodoWrite', ctx.cwd));
        break;
      case 'lines':
        for (let i = 1; i <= d.count; i++) {
          const head = `line ${i} of ${d.count} `;
          t.say(head.padEnd(d.bytes, 'x'));
        }
        break;
      case 'cost':
        t.costUsd = d.usd;
        break;
      case 'exit':
        return { result: t.result({ isError: false, text: t.lastText }), code: d.code };
      case 'hang':
        // An interval, unlike a bare pending promise, keeps Node alive until a signal ends it.
        await new Promise<never>(() => setInterval(() => undefined, 3_600_000));
        break;
      case 'rate_limit': {
        if (ctx.store.hitRateLimit(ctx.sessionId) >= d.times) break;
        const resetsAt = Math.floor(Date.now() / 1000 + d.seconds);
        const text = usageLimitText(resetsAt);
        t.rateLimitEvent({
          status: 'rejected',
          resetsAt,
          rateLimitType: 'five_hour',
          overageStatus: 'rejected',
          isUsingOverage: false,
        });
        t.say(text, { error: 'rate_limit' });
        const extra = { terminal_reason: 'api_error', api_error_status: 429, api_error_type: 'rate_limit_error', api_error: 'usage_limit_reached' };
        return { result: t.result({ isError: true, text, extra }), code: 1 };
      }
      case 'api_error':
        return apiErrorEnding(t, d.status, d.retries);
      case 'fail': {
        const body = { type: 'error', error: { type: 'api_error', message: d.text } };
        const text = `API Error: 500 ${JSON.stringify(body)}`;
        t.say(text, { error: 'server_error' });
        const extra = { terminal_reason: 'api_error', api_error_status: 500 };
        return { result: t.result({ isError: true, text, extra }), code: 1 };
      }
    }
  }
  return { result: t.result({ isError: false, text: t.lastText || 'Done.' }), code: 0 };
}
