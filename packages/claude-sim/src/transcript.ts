import { randomBytes, randomUUID } from 'node:crypto';

export const SIM_VERSION = '2.0.0-sim';
export const DEFAULT_MODEL = 'claude-sonnet-4-5-sim';

const ALL_TOOLS = [
  'Task',
  'Bash',
  'Glob',
  'Grep',
  'ExitPlanMode',
  'Read',
  'Edit',
  'Write',
  'NotebookEdit',
  'WebFetch',
  'TodoWrite',
  'WebSearch',
  'BashOutput',
  'KillShell',
  'SlashCommand',
];

/** Simulated price: a small, predictable cost per assistant message. */
const COST_PER_MESSAGE_USD = 0.0005;
const INPUT_TOKENS_PER_MESSAGE = 12;

export interface TranscriptOptions {
  sessionId: string;
  model: string;
  cwd: string;
  permissionMode: string;
  disallowedTools: string[];
  /** Receives each event as it is made; a no-op unless the output format is stream-json. */
  emit: (event: Record<string, unknown>) => void;
  now?: () => number;
  /** What the session cost before this run (--resume). */
  priorCostUsd?: number;
}

export interface ResultOptions {
  isError: boolean;
  text: string;
  extra?: Record<string, unknown>;
}

export interface ToolCall {
  name: string;
  input: Record<string, unknown>;
  output: string;
}

/**
 * Builds one run's stream-json events in the shapes the real CLI writes, and keeps the tallies
 * (turns, tokens, cost, permission denials) that its final `result` reports.
 */
export class Transcript {
  private readonly started: number;
  private readonly now: () => number;
  private messages = 0;
  private outputTokens = 0;
  private readonly denials: Record<string, unknown>[] = [];
  /** The last assistant text, which becomes the result text as in the real CLI. */
  lastText = '';
  /** This run's cost, set by `@sim cost`; otherwise it follows the message count. */
  costUsd: number | null = null;
  /** This run's cost once the result is written (the result reports the session's total). */
  runCostUsd = 0;

  constructor(private readonly o: TranscriptOptions) {
    this.now = o.now ?? Date.now;
    this.started = this.now();
  }

  private write(event: Record<string, unknown>): void {
    this.o.emit({ ...event, session_id: this.o.sessionId, uuid: randomUUID() });
  }

  init(): void {
    this.write({
      type: 'system',
      subtype: 'init',
      cwd: this.o.cwd,
      tools: ALL_TOOLS.filter((t) => !this.o.disallowedTools.includes(t)),
      mcp_servers: [],
      model: this.o.model,
      permissionMode: this.o.permissionMode,
      slash_commands: ['compact', 'context', 'cost', 'init', 'review'],
      apiKeySource: 'none',
      claude_code_version: SIM_VERSION,
      output_style: 'default',
      agents: ['general-purpose'],
    });
  }

  private assistant(content: Record<string, unknown>[], extra: Record<string, unknown> = {}) {
    this.messages += 1;
    const outputTokens = 8 + Math.ceil(JSON.stringify(content).length / 4);
    this.outputTokens += outputTokens;
    this.write({
      type: 'assistant',
      message: {
        id: `msg_01${randomBytes(11).toString('hex')}`,
        type: 'message',
        role: 'assistant',
        model: this.o.model,
        content,
        stop_reason: null,
        stop_sequence: null,
        usage: {
          input_tokens: INPUT_TOKENS_PER_MESSAGE,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 0,
          output_tokens: outputTokens,
          service_tier: 'standard',
        },
      },
      parent_tool_use_id: null,
      ...extra,
    });
  }

  say(text: string, extra: Record<string, unknown> = {}): void {
    this.lastText = text;
    this.assistant([{ type: 'text', text }], extra);
  }

  /**
   * A tool_use and its tool_result. A tool named in --disallowedTools is denied as in `-p` mode:
   * an error result, and an entry in the result's permission_denials.
   */
  tool(call: ToolCall): void {
    const id = `toolu_01${randomBytes(11).toString('hex')}`;
    this.assistant([{ type: 'tool_use', id, name: call.name, input: call.input }]);
    const denied = this.o.disallowedTools.includes(call.name);
    if (denied)
      this.denials.push({ tool_name: call.name, tool_use_id: id, tool_input: call.input });
    this.write({
      type: 'user',
      message: {
        role: 'user',
        content: [
          {
            tool_use_id: id,
            type: 'tool_result',
            content: denied
              ? `Permission to use ${call.name} has been denied. IMPORTANT: You *may* attempt to accomplish this action using other tools that might naturally be used to accomplish this goal.`
              : call.output,
            is_error: denied,
          },
        ],
      },
      parent_tool_use_id: null,
    });
  }

  rateLimitEvent(info: Record<string, unknown>): void {
    this.write({ type: 'rate_limit_event', rate_limit_info: info });
  }

  /** Writes the final `result` event and returns it (for `--output-format json`). */
  result(r: ResultOptions): Record<string, unknown> {
    const turns = Math.max(1, this.messages);
    this.runCostUsd = this.costUsd ?? Number((COST_PER_MESSAGE_USD * turns).toFixed(6));
    // As the real CLI: total_cost_usd is the session's running total, not this run's.
    const cost = Number(((this.o.priorCostUsd ?? 0) + this.runCostUsd).toFixed(10));
    const elapsed = this.now() - this.started;
    const usage = {
      input_tokens: INPUT_TOKENS_PER_MESSAGE * turns,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      output_tokens: this.outputTokens,
      server_tool_use: { web_search_requests: 0 },
      service_tier: 'standard',
    };
    const event = {
      type: 'result',
      subtype: 'success',
      is_error: r.isError,
      duration_ms: elapsed,
      duration_api_ms: Math.round(elapsed * 0.8),
      num_turns: turns,
      result: r.text,
      total_cost_usd: cost,
      usage,
      modelUsage: {
        [this.o.model]: {
          inputTokens: usage.input_tokens,
          outputTokens: usage.output_tokens,
          cacheReadInputTokens: 0,
          cacheCreationInputTokens: 0,
          webSearchRequests: 0,
          costUSD: cost,
          contextWindow: 200_000,
        },
      },
      permission_denials: this.denials,
      ...r.extra,
    };
    const full = { ...event, session_id: this.o.sessionId, uuid: randomUUID() };
    this.o.emit(full);
    return full;
  }
}
