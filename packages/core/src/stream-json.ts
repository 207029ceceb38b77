import type { RateLimitInfo, Todo, TurnSummary, Usage } from './schemas/index.ts';

/** One line of claude's stdout: a stream-json event, or a raw line kept as it is. */
export type ParsedLine =
  | { kind: 'event'; type: string; event: Record<string, unknown> }
  | { kind: 'raw'; line: string };

/** Parses one output line. Never throws: a line that is not a JSON object is `raw`. */
export function parseStreamLine(line: string): ParsedLine {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return { kind: 'raw', line };
  try {
    const value: unknown = JSON.parse(trimmed);
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const event = value as Record<string, unknown>;
      const type = typeof event.type === 'string' ? event.type : 'unknown';
      return { kind: 'event', type, event };
    }
  } catch {
    // A line that is not JSON (one CLI version spliced events into each other) stays raw.
  }
  return { kind: 'raw', line };
}

const USAGE_LIMIT_EPOCH = /usage limit reached\|(\d{9,13})/i;
const RATE_LIMIT_TEXT =
  /(rate_limit_error|API Error: 429|usage limit reached|hit your limit|overloaded_error|API Error: 529)/i;

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function toEpochMs(value: number): number {
  return value < 1e12 ? value * 1000 : value;
}

function readUsage(value: unknown): Usage | null {
  if (!value || typeof value !== 'object') return null;
  const u = value as Record<string, unknown>;
  return {
    inputTokens: num(u.input_tokens) ?? 0,
    outputTokens: num(u.output_tokens) ?? 0,
    cacheCreationInputTokens: num(u.cache_creation_input_tokens) ?? 0,
    cacheReadInputTokens: num(u.cache_read_input_tokens) ?? 0,
  };
}

function contentBlocks(event: Record<string, unknown>): Record<string, unknown>[] {
  const message = event.message as Record<string, unknown> | undefined;
  const content = message?.content;
  return Array.isArray(content)
    ? content.filter((b): b is Record<string, unknown> => !!b && typeof b === 'object')
    : [];
}

/**
 * Reads a turn's stream-json line by line and sums it up: result, cost, usage, todos, and how it
 * failed (rate limit with its reset time, API error kind). Unknown events are ignored.
 */
export class TurnClassifier {
  private s: TurnSummary = emptySummary();

  push(line: string): void {
    const parsed = parseStreamLine(line);
    if (parsed.kind === 'raw') return;
    const e = parsed.event;
    switch (parsed.type) {
      case 'system':
        if (e.subtype === 'init') {
          this.s.sessionId = str(e.session_id) ?? this.s.sessionId;
          this.s.model = str(e.model) ?? this.s.model;
          this.s.claudeVersion = str(e.claude_code_version) ?? this.s.claudeVersion;
        } else if (e.subtype === 'api_retry') {
          this.s.apiRetries += 1;
        }
        break;
      case 'assistant': {
        const error = str(e.error);
        if (error) this.s.errorKind = error;
        if (error === 'rate_limit') this.noteRateLimit(null, 'rate_limit', null);
        for (const block of contentBlocks(e)) {
          if (block.type === 'tool_use' && block.name === 'TodoWrite') {
            const todos = (block.input as Record<string, unknown> | undefined)?.todos;
            if (Array.isArray(todos)) this.s.todos = todos.map(readTodo);
          }
        }
        break;
      }
      case 'rate_limit_event': {
        const info = (e.rate_limit_info ?? {}) as Record<string, unknown>;
        if (info.status === 'rejected') {
          const resetsAt = num(info.resetsAt);
          this.noteRateLimit(
            resetsAt === null ? null : toEpochMs(resetsAt),
            str(info.rateLimitType),
            null,
          );
        }
        break;
      }
      case 'result':
        this.readResult(e);
        break;
      default:
        break;
    }
  }

  summary(): TurnSummary {
    return structuredClone(this.s);
  }

  private readResult(e: Record<string, unknown>): void {
    const s = this.s;
    s.resultSubtype = str(e.subtype);
    s.isError = typeof e.is_error === 'boolean' ? e.is_error : s.resultSubtype !== 'success';
    s.result = str(e.result);
    s.costUsd = num(e.total_cost_usd);
    s.numTurns = num(e.num_turns);
    s.durationMs = num(e.duration_ms);
    s.usage = readUsage(e.usage);
    s.sessionId = str(e.session_id) ?? s.sessionId;
    s.permissionDenials = Array.isArray(e.permission_denials) ? e.permission_denials.length : 0;
    if (!s.isError || !s.result) return;
    const epoch = USAGE_LIMIT_EPOCH.exec(s.result);
    if (epoch?.[1]) {
      this.noteRateLimit(toEpochMs(Number(epoch[1])), 'usage_limit', s.result);
    } else if (RATE_LIMIT_TEXT.test(s.result) || e.api_error_status === 429 || e.api_error_status === 529) {
      this.noteRateLimit(null, /529|overloaded/i.test(s.result) ? 'overloaded' : 'rate_limit', s.result);
    } else if (!s.errorKind) {
      s.errorKind = e.api_error_status ? 'api_error' : s.resultSubtype;
    }
  }

  private noteRateLimit(resetsAt: number | null, kind: string | null, message: string | null): void {
    const prior = this.s.rateLimit;
    this.s.rateLimit = {
      resetsAt: resetsAt ?? prior?.resetsAt ?? null,
      kind: prior?.kind ?? kind,
      message: message ?? prior?.message ?? null,
    } satisfies RateLimitInfo;
    this.s.errorKind = this.s.errorKind ?? 'rate_limit';
  }
}

function readTodo(value: unknown): Todo {
  const t = (value ?? {}) as Record<string, unknown>;
  return {
    content: str(t.content) ?? '',
    status: str(t.status) ?? 'pending',
    ...(str(t.activeForm) ? { activeForm: str(t.activeForm)! } : {}),
  };
}

export function emptySummary(): TurnSummary {
  return {
    sessionId: null,
    claudeVersion: null,
    model: null,
    resultSubtype: null,
    isError: null,
    result: null,
    costUsd: null,
    numTurns: null,
    durationMs: null,
    usage: null,
    todos: null,
    errorKind: null,
    rateLimit: null,
    apiRetries: 0,
    permissionDenials: 0,
  };
}

/** Sums a whole transcript. */
export function summarizeLines(lines: Iterable<string>): TurnSummary {
  const classifier = new TurnClassifier();
  for (const line of lines) classifier.push(line);
  return classifier.summary();
}

export type TurnVerdict = 'completed' | 'failed' | 'rate_limited';

/**
 * How a turn that exited ended, from its stream-json first and the exit code only as backstop:
 * some claude versions exit 0 with the error on stdout, some exit 1 with nothing on stderr.
 */
export function classifyTurn(summary: TurnSummary, exitCode: number | null): TurnVerdict {
  const succeeded = summary.resultSubtype === 'success' && summary.isError === false;
  if (summary.rateLimit && !succeeded) return 'rate_limited';
  if (summary.resultSubtype !== null) return succeeded ? 'completed' : 'failed';
  return exitCode === 0 && summary.errorKind === null ? 'completed' : 'failed';
}
