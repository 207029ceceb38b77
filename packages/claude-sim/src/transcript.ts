import { randomBytes, randomUUID } from 'node:crypto';
import type { PromptAnswer } from './permission-prompt.ts';
import { MaxBudgetReached, MaxTurnsReached } from './run-limits.ts';

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
  /** --allowedTools: tools (or `Tool(rule)` entries) that run without asking. */
  allowedTools?: string[];
  /** --max-turns: model turns (API calls) this run may make. */
  maxTurns?: number;
  /** --max-budget-usd: what this run may spend; checked after each reply, as the real CLI does. */
  maxBudgetUsd?: number;
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

/** Tools that ask before they run in the modes that ask (as `claude -p` does, which then denies). */
const ASKING_TOOLS = new Set(['Write', 'Edit', 'MultiEdit', 'NotebookEdit', 'Bash']);
const EDIT_TOOLS = new Set(['Write', 'Edit', 'MultiEdit', 'NotebookEdit']);

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
  /** Model turns (API calls): the first assistant message, and each one after a tool result. */
  private modelTurns = 0;
  private awaitingModel = true;
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

  private assistant(content: Record<string, unknown>[], extra: Record<string, unknown> = {}, synthetic = false) {
    if (this.awaitingModel) {
      if (this.modelTurns > 0) this.checkBudget();
      if (this.o.maxTurns !== undefined && this.modelTurns >= this.o.maxTurns) throw new MaxTurnsReached(this.o.maxTurns);
      this.modelTurns += 1;
      this.awaitingModel = false;
    }
    this.messages += 1;
    const outputTokens = 8 + Math.ceil(JSON.stringify(content).length / 4);
    this.outputTokens += outputTokens;
    this.write({
      type: 'assistant',
      message: {
        id: `msg_01${randomBytes(11).toString('hex')}`,
        type: 'message',
        role: 'assistant',
        model: synthetic ? '<synthetic>' : this.o.model,
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

  /** An assistant text; `synthetic` for the CLI's own messages (API errors), not the model's. */
  say(text: string, extra: Record<string, unknown> = {}, opts: { synthetic?: boolean } = {}): void {
    this.lastText = text;
    this.assistant([{ type: 'text', text }], extra, opts.synthetic);
  }

  system(subtype: string, fields: Record<string, unknown>): void {
    this.write({ type: 'system', subtype, ...fields });
  }

  static toolUseId(): string {
    return `toolu_01${randomBytes(11).toString('hex')}`;
  }

  /** Whether a call of `name` would be asked about (not disallowed, not let through). */
  asks(name: string): boolean {
    return !this.o.disallowedTools.includes(name) && !this.allowed(name);
  }

  /** Whether the permission mode and --allowedTools let `name` run without asking. */
  private allowed(name: string): boolean {
    const mode = this.o.permissionMode;
    if (mode === 'bypassPermissions' || mode === 'auto') return true;
    if (!ASKING_TOOLS.has(name)) return true;
    if (mode === 'acceptEdits' && EDIT_TOOLS.has(name)) return true;
    return (this.o.allowedTools ?? []).some((rule) => rule === name || rule.startsWith(`${name}(`));
  }

  /**
   * A tool_use and its tool_result. A tool in --disallowedTools, or one the permission mode
   * would ask about, is denied as in `-p` mode: a `permission_denied` event, an error result,
   * and an entry in the result's permission_denials. A successful result has no is_error.
   */
  tool(call: ToolCall, decided?: { id: string; answer: PromptAnswer }): void {
    const id = decided?.id ?? Transcript.toolUseId();
    this.assistant([{ type: 'tool_use', id, name: call.name, input: call.input }]);
    const disallowed = this.o.disallowedTools.includes(call.name);
    const asked = !disallowed && !this.allowed(call.name) && !decided;
    let result: Record<string, unknown> = { tool_use_id: id, type: 'tool_result', content: call.output };
    if (decided?.answer.behavior === 'allow' && !disallowed) {
      result.content = `${call.name} ran with ${JSON.stringify(decided.answer.updatedInput)} (simulated)`;
    } else if (decided?.answer.behavior === 'deny' && !disallowed) {
      // The prompt tool refused it: its message is the result, and it counts as a denial.
      result = { type: 'tool_result', content: decided.answer.message, is_error: true, tool_use_id: id };
      this.denials.push({ tool_name: call.name, tool_use_id: id, tool_input: call.input });
    } else if (disallowed) {
      const content = `Permission to use ${call.name} has been denied. IMPORTANT: You *may* attempt to accomplish this action using other tools that might naturally be used to accomplish this goal.`;
      result = { type: 'tool_result', content, is_error: true, tool_use_id: id };
    } else if (asked) {
      const message = denialText(call);
      this.system('permission_denied', { tool_name: call.name, tool_use_id: id, message });
      result = { type: 'tool_result', content: message, is_error: true, tool_use_id: id };
    }
    if (disallowed || asked) this.denials.push({ tool_name: call.name, tool_use_id: id, tool_input: call.input });
    this.write({ type: 'user', message: { role: 'user', content: [result] }, parent_tool_use_id: null });
    this.awaitingModel = true;
  }

  rateLimitEvent(info: Record<string, unknown>): void {
    this.write({ type: 'rate_limit_event', rate_limit_info: info });
  }

  /** Writes the final `result` event and returns it (for `--output-format json`). */
  result(r: ResultOptions): Record<string, unknown> {
    // The last reply is checked too: a final answer over the budget ends as a budget error.
    if (!r.isError) this.checkBudget();
    // The real CLI says 'success' even for an API error: is_error tells them apart.
    return this.finish('success', r.isError, { result: r.text }, r.extra);
  }

  /** The result of a run stopped by --max-turns: an error subtype with errors[] and no result. */
  maxTurnsResult(err: MaxTurnsReached): Record<string, unknown> {
    this.modelTurns += 1;
    return this.finish('error_max_turns', true, { errors: [err.message] }, { terminal_reason: 'max_turns' });
  }

  /** The result of a run stopped by --max-budget-usd: as the real CLI, errors[] and no result. */
  maxBudgetResult(err: MaxBudgetReached): Record<string, unknown> {
    return this.finish('error_max_budget_usd', true, { errors: [err.message] }, { terminal_reason: 'budget_exhausted' });
  }

  /** What this run has spent: `@sim cost` when it was given, else the price of its messages. */
  private spentUsd(): number {
    return this.costUsd ?? COST_PER_MESSAGE_USD * Math.max(1, this.messages);
  }

  private checkBudget(): void {
    const budget = this.o.maxBudgetUsd;
    if (budget !== undefined && this.spentUsd() > budget) throw new MaxBudgetReached(budget);
  }

  private finish(
    subtype: string,
    isError: boolean,
    outcome: { result: string } | { errors: string[] },
    extra: Record<string, unknown> = {},
  ): Record<string, unknown> {
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
      subtype,
      is_error: isError,
      duration_ms: elapsed,
      duration_api_ms: Math.round(elapsed * 0.8),
      num_turns: Math.max(1, this.modelTurns),
      ...outcome,
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
      ...extra,
    };
    const full = { ...event, session_id: this.o.sessionId, uuid: randomUUID() };
    this.o.emit(full);
    return full;
  }
}

/** The real CLI's words for a tool it would have asked about in `-p` mode. */
function denialText(call: ToolCall): string {
  const path = typeof call.input.file_path === 'string' ? call.input.file_path : null;
  if (path && (call.name === 'Write' || call.name === 'NotebookEdit')) return `Claude requested permissions to write to ${path}, but you haven't granted it yet.`;
  if (path && (call.name === 'Edit' || call.name === 'MultiEdit')) return `Claude requested permissions to edit ${path}, but you haven't granted it yet.`;
  return `Claude requested permissions to use ${call.name}, but you haven't granted it yet.`;
}
