import type { PermissionDenial, RateLimitInfo, Todo, TurnSummary, Usage } from './schemas/index.ts';
import { TaskListTracker } from './task-list.ts';

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
const RATE_LIMIT_TEXT = /(rate_limit_error|API Error: 429|usage limit reached|hit your (\S+ )?limit)/i;

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
  private readonly tasks = new TaskListTracker();

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
          if (block.type !== 'tool_use') continue;
          if (block.name === 'TodoWrite') {
            const todos = (block.input as Record<string, unknown> | undefined)?.todos;
            if (Array.isArray(todos)) {
              this.s.todos = todos.map(readTodo);
              this.s.todoSource = 'TodoWrite';
            }
          } else if (this.tasks.toolUse(block)) {
            this.s.todos = this.tasks.todos();
            this.s.todoSource = 'TaskCreate';
          }
        }
        break;
      }
      case 'user':
        for (const block of contentBlocks(e)) {
          if (block.type === 'tool_result' && this.tasks.toolResult(block)) {
            this.s.todos = this.tasks.todos();
            this.s.todoSource = 'TaskCreate';
          }
        }
        break;
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
    s.denials = Array.isArray(e.permission_denials) ? e.permission_denials.slice(0, 100).map(readDenial) : [];
    s.errors = Array.isArray(e.errors) ? e.errors.filter((x): x is string => typeof x === 'string').slice(0, 20).map((x) => x.slice(0, 2000)) : [];
    s.apiErrorStatus = num(e.api_error_status);
    if (e.structured_output !== undefined) {
      const json = JSON.stringify(e.structured_output) ?? 'null';
      s.structuredOutput = json.length <= 64 * 1024 ? e.structured_output : { truncated: json.slice(0, 64 * 1024) };
    }
    if (!s.isError) return;
    // error_max_turns, error_max_budget_usd, error_during_execution: no result, the kind is the subtype.
    if (!s.result) {
      s.errorKind = s.errorKind ?? s.resultSubtype;
      return;
    }
    const epoch = USAGE_LIMIT_EPOCH.exec(s.result);
    if (epoch?.[1]) {
      this.noteRateLimit(toEpochMs(Number(epoch[1])), 'usage_limit', s.result);
    } else if (e.api_error_status === 529 || /API Error: 529|overloaded_error/i.test(s.result)) {
      // Anthropic is overloaded: not a limit of this workspace or key (see classifyTurn).
      s.errorKind = 'overloaded';
    } else if (RATE_LIMIT_TEXT.test(s.result) || e.api_error_status === 429) {
      this.noteRateLimit(null, 'rate_limit', s.result);
    } else if (!s.errorKind) {
      // An error result that says no more than `success`: call it what it was, an error.
      s.errorKind = e.api_error_status ? 'api_error' : s.resultSubtype && s.resultSubtype !== 'success' ? s.resultSubtype : 'error';
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

/** One `permission_denials` entry, its input cut to 4 KiB of JSON so a report stays bounded. */
function readDenial(value: unknown): PermissionDenial {
  const d = (value ?? {}) as Record<string, unknown>;
  const json = JSON.stringify(d.tool_input ?? null) ?? 'null';
  return {
    toolName: (str(d.tool_name) ?? 'unknown').slice(0, 200),
    toolUseId: str(d.tool_use_id)?.slice(0, 200) ?? null,
    input: json.length <= 4096 ? (d.tool_input ?? null) : { truncated: json.slice(0, 4096) },
  };
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
    denials: [],
    errors: [],
    apiErrorStatus: null,
    todoSource: null,
  };
}

/** Sums a whole transcript. */
export function summarizeLines(lines: Iterable<string>): TurnSummary {
  const classifier = new TurnClassifier();
  for (const line of lines) classifier.push(line);
  return classifier.summary();
}

/**
 * `rate_limited`: the workspace (or team) waits until the limit resets. `unavailable`: the API
 * was overloaded (529) even after the CLI's own retries — a passing state of Anthropic's, not of
 * this workspace or key, so only the turn waits and retries. `auth_failed`: the login claude has
 * does not work (an invalid key passes `claude auth status`), so the turn waits for another try
 * while the agent reports itself not ready.
 */
export type TurnVerdict = 'completed' | 'failed' | 'rate_limited' | 'unavailable' | 'auth_failed';

/** Error kinds of a login that does not work; the CLI reports them as the assistant's `error`. */
export const AUTH_ERROR_KINDS: readonly string[] = ['authentication_failed', 'billing_error', 'oauth_org_not_allowed'];

/**
 * How a turn that exited ended, from its stream-json first and the exit code only as backstop:
 * some claude versions exit 0 with the error on stdout, some exit 1 with nothing on stderr.
 */
export function classifyTurn(summary: TurnSummary, exitCode: number | null): TurnVerdict {
  const succeeded = summary.resultSubtype === 'success' && summary.isError === false;
  if (summary.rateLimit && !succeeded) return 'rate_limited';
  if (!succeeded && summary.errorKind && AUTH_ERROR_KINDS.includes(summary.errorKind)) return 'auth_failed';
  if (!succeeded && (summary.errorKind === 'overloaded' || summary.apiErrorStatus === 529)) return 'unavailable';
  if (summary.resultSubtype !== null) return succeeded ? 'completed' : 'failed';
  return exitCode === 0 && summary.errorKind === null ? 'completed' : 'failed';
}
