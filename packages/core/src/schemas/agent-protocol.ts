import { z } from 'zod';
import { ClaudeOptionsSchema, WorkspaceClaudeOptionsSchema } from './options.ts';
import { LeaseApprovalsSchema } from './approvals.ts';
import { OutputLineSchema, TURN_OUTCOMES, TodoSchema, UsageSchema } from './tasks.ts';

// ---------------------------------------------------------------------------------------------
// Agent protocol (/agent/v1). Parsed with these schemas on both ends.
// ---------------------------------------------------------------------------------------------

export const AgentRegisterSchema = z.strictObject({
  hostname: z.string().max(255),
  agentVersion: z.string().max(64),
  /** The agent protocol version it speaks (`major.minor`); absent from v0.1.0 agents (1.0). */
  protocolVersion: z.string().regex(/^\d{1,3}\.\d{1,3}$/).optional(),
  claudeVersion: z.string().max(200).nullable(),
  tmuxVersion: z.string().max(64).nullable(),
  slots: z.int().min(1).max(256),
  workdirRoots: z.array(z.string().max(4096)).max(32),
  /** Readiness problems; a workspace with any takes no work. Empty means ready. */
  problems: z.array(z.string().max(500)).max(32),
  /** True when the agent runs claude-sim in place of claude. */
  simulated: z.boolean(),
  /** The agent's private tmux server socket: `tmux -S <socket> attach -t sy-<taskId>`. */
  tmuxSocket: z.string().max(4096).optional(),
});
export type AgentRegister = z.infer<typeof AgentRegisterSchema>;

export const AgentRegisterResponseSchema = z.object({
  agentId: z.string(),
  workspace: z.object({ id: z.string(), name: z.string() }),
  /** Seconds of silence after which the API considers the agent lost. */
  graceSec: z.int(),
});
export type AgentRegisterResponse = z.infer<typeof AgentRegisterResponseSchema>;

export const RunningTurnSchema = z.strictObject({
  taskId: z.string().max(80),
  turn: z.int().min(1),
  /** Highest seq the API acknowledged for this task. */
  ackSeq: z.int().min(0),
  /** Whether the claude process is still alive. */
  alive: z.boolean(),
});
export type RunningTurn = z.infer<typeof RunningTurnSchema>;

export const SyncRequestSchema = z.strictObject({
  agentId: z.string().max(80),
  freeSlots: z.int().min(0).max(256),
  running: z.array(RunningTurnSchema).max(256),
  /** How long the API may hold the request when it has nothing to say (ms, ≤ 25 000). */
  waitMs: z.int().min(0).max(25_000).default(20_000),
});
export type SyncRequest = z.infer<typeof SyncRequestSchema>;

/**
 * The workspace's permission ceiling, as the API checked the task against it; the agent checks
 * again before it spawns. `allowedTools: null` means the workspace sets no tool ceiling.
 */
export const LeaseCeilingSchema = z.object({
  permissionModes: z.array(z.string()),
  allowedTools: z.array(z.string()).nullable(),
  /** Always passed to claude, after the task's own. */
  disallowedTools: z.array(z.string()),
});
export type LeaseCeiling = z.infer<typeof LeaseCeilingSchema>;

/** One turn to run: everything the agent needs, so it never calls back mid-turn. */
export const LeaseSchema = z.object({
  taskId: z.string(),
  turn: z.int().min(1),
  leaseToken: z.string(),
  prompt: z.string(),
  sessionId: z.string(),
  /** First turn: `--session-id`; later turns: `--resume`. */
  resume: z.boolean(),
  workdir: z.string(),
  options: ClaudeOptionsSchema,
  maxDurationSec: z.int().nullable(),
  idleTimeoutSec: z.int().nullable(),
  /** Seq of the first output line of this turn (seq continues across turns). */
  startSeq: z.int().min(1),
  /** The workspace's ceiling; absent from APIs that do not send it. */
  ceiling: LeaseCeilingSchema.optional(),
  /** The workspace's admin-only options (`--add-dir`, `--mcp-config`, `--settings`, `--system-prompt`). */
  workspaceOptions: WorkspaceClaudeOptionsSchema.omit({ models: true }).optional(),
  /**
   * An earlier attempt of this turn already ran claude, so the session holds the prompt: resume it
   * with a short continuation instead of sending the prompt twice (protocol 1.1).
   */
  continuation: z.boolean().optional(),
  /**
   * Present when the task's permission mode may ask (protocol 1.2): the agent wires claude's
   * `--permission-prompt-tool` to the API's approvals, which answer within `timeoutSec`.
   */
  approvals: LeaseApprovalsSchema.optional(),
});
export type Lease = z.infer<typeof LeaseSchema>;

export const AgentCommandSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('kill'), taskId: z.string(), reason: z.string() }),
  /** The API no longer knows this turn (e.g. it was declared lost): stop it, ship nothing more. */
  z.object({ type: z.literal('abandon'), taskId: z.string(), reason: z.string() }),
]);
export type AgentCommand = z.infer<typeof AgentCommandSchema>;

export const SyncResponseSchema = z.object({
  leases: z.array(LeaseSchema),
  commands: z.array(AgentCommandSchema),
});
export type SyncResponse = z.infer<typeof SyncResponseSchema>;

/**
 * Max bytes of one output line; the runner replaces a longer line by a flagged marker. Small
 * enough that a batch holding one such line, JSON-escaped, stays under the API's body limit.
 */
export const MAX_OUTPUT_LINE_BYTES = 128 * 1024;

/**
 * Max bytes of an events body, and so the agent's batch budget: one line of
 * MAX_OUTPUT_LINE_BYTES whose every byte JSON escapes to 6 (`\u0001`), plus the envelope. Any
 * single line the runner keeps therefore always fits one batch.
 */
export const MAX_EVENTS_BODY_BYTES = MAX_OUTPUT_LINE_BYTES * 6 + 64 * 1024;

export const EventsBatchSchema = z.strictObject({
  turn: z.int().min(1),
  lines: z.array(OutputLineSchema).min(1).max(5000),
});
export type EventsBatch = z.infer<typeof EventsBatchSchema>;

export const EventsAckSchema = z.object({
  /** Highest contiguous seq stored for the task: resend from ackSeq + 1. */
  ackSeq: z.int().min(0),
});

export const TurnStartedSchema = z.strictObject({
  turn: z.int().min(1),
  tmuxSession: z.string().max(100),
  /** The lease this turn runs under (protocol 1.1): a report of an older lease is refused. */
  leaseToken: z.string().max(100).optional(),
});

export const RateLimitInfoSchema = z.object({
  /** Epoch ms when the limit resets, null when unknown. */
  resetsAt: z.number().min(0).max(1e14).nullable(),
  kind: z.string().nullable(),
  message: z.string().nullable(),
});
export type RateLimitInfo = z.infer<typeof RateLimitInfoSchema>;

/** What a turn amounted to, read from its stream-json, not from its exit code. */
/** A tool call claude's permission mode refused, as the result's `permission_denials` lists it. */
export const PermissionDenialSchema = z.object({
  toolName: z.string().max(200),
  toolUseId: z.string().max(200).nullable(),
  /** The tool's input, cut to 4 KiB of JSON. */
  input: z.unknown(),
});
export type PermissionDenial = z.infer<typeof PermissionDenialSchema>;

export const TurnSummarySchema = z.object({
  sessionId: z.string().nullable(),
  claudeVersion: z.string().nullable(),
  model: z.string().nullable(),
  resultSubtype: z.string().nullable(),
  isError: z.boolean().nullable(),
  result: z.string().nullable(),
  costUsd: z.number().min(0).max(100_000).nullable(),
  numTurns: z.int().min(0).max(1_000_000).nullable(),
  durationMs: z.int().min(0).max(31 * 24 * 3600 * 1000).nullable(),
  usage: UsageSchema.nullable(),
  todos: z.array(TodoSchema).max(1000).nullable(),
  /** `assistant.error` or an API error kind: rate_limit, authentication_failed, billing_error, … */
  errorKind: z.string().nullable(),
  rateLimit: RateLimitInfoSchema.nullable(),
  apiRetries: z.int().min(0).max(1_000_000),
  permissionDenials: z.int().min(0).max(1_000_000),
  /** The refused tool calls themselves (protocol 1.1; a 1.0 agent sends only the count). */
  denials: z.array(PermissionDenialSchema).max(100).optional(),
  /** The result's `errors[]`: why an error subtype (max turns, budget, execution) ended the run. */
  errors: z.array(z.string().max(2000)).max(20).optional(),
  /** The HTTP status of the API error that ended the run, when one did. */
  apiErrorStatus: z.int().min(100).max(599).nullable().optional(),
  /** Which tool kept the todo list: TodoWrite, or TaskCreate/TaskUpdate in newer CLIs. */
  todoSource: z.enum(['TodoWrite', 'TaskCreate']).nullable().optional(),
  /** The result's `structured_output` when the task gave a jsonSchema (at most 64 KiB of JSON). */
  structuredOutput: z.unknown().optional(),
});
export type TurnSummary = z.infer<typeof TurnSummarySchema>;

export const TurnFinishedSchema = z.strictObject({
  turn: z.int().min(1),
  outcome: z.enum(['exited', 'killed', 'rate_limited', 'spawn_failed']),
  exitCode: z.int().nullable(),
  signal: z.string().max(20).nullable(),
  /** Seq of the last output line of the turn; the API refuses (409) until it has them all. */
  lastSeq: z.int().min(0),
  summary: TurnSummarySchema,
  /** Why it was killed or failed to spawn, in words. */
  reason: z.string().max(2000).nullable(),
  stderrTail: z.string().max(8192).nullable(),
  /** The lease this turn ran under (protocol 1.1): a report of an older lease is refused. */
  leaseToken: z.string().max(100).optional(),
});
export type TurnFinished = z.infer<typeof TurnFinishedSchema>;
