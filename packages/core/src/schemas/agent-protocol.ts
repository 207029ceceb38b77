import { z } from 'zod';
import { ClaudeOptionsSchema } from './options.ts';
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
});

export const RateLimitInfoSchema = z.object({
  /** Epoch ms when the limit resets, null when unknown. */
  resetsAt: z.number().nullable(),
  kind: z.string().nullable(),
  message: z.string().nullable(),
});
export type RateLimitInfo = z.infer<typeof RateLimitInfoSchema>;

/** What a turn amounted to, read from its stream-json, not from its exit code. */
export const TurnSummarySchema = z.object({
  sessionId: z.string().nullable(),
  claudeVersion: z.string().nullable(),
  model: z.string().nullable(),
  resultSubtype: z.string().nullable(),
  isError: z.boolean().nullable(),
  result: z.string().nullable(),
  costUsd: z.number().nullable(),
  numTurns: z.int().nullable(),
  durationMs: z.int().nullable(),
  usage: UsageSchema.nullable(),
  todos: z.array(TodoSchema).nullable(),
  /** `assistant.error` or an API error kind: rate_limit, authentication_failed, billing_error, … */
  errorKind: z.string().nullable(),
  rateLimit: RateLimitInfoSchema.nullable(),
  apiRetries: z.int(),
  permissionDenials: z.int(),
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
});
export type TurnFinished = z.infer<typeof TurnFinishedSchema>;
