import { z } from 'zod';
import { TASK_STATUSES } from './task-state.ts';

/** Team and workspace names: lowercase, digits and dashes, like Kubernetes names. */
export const NameSchema = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'lowercase letters, digits and dashes, 1-63 chars');

/** A workspace or team, by name or by id. */
export const RefSchema = z.string().min(1).max(80).regex(/^[a-z0-9_-]+$/, 'a name or an id');

export const PERMISSION_MODES = [
  'default',
  'acceptEdits',
  'plan',
  'bypassPermissions',
  'dontAsk',
] as const;

const ToolPattern = z.string().min(1).max(200);
const ModelName = z.string().regex(/^[A-Za-z0-9._:\[\]-]{1,100}$/, 'a model name or alias');

/** What a task may ask of `claude`: each maps to one flag. */
export const ClaudeOptionsSchema = z.strictObject({
  model: ModelName.optional(),
  fallbackModel: ModelName.optional(),
  permissionMode: z.enum(PERMISSION_MODES).optional(),
  allowedTools: z.array(ToolPattern).max(100).optional(),
  disallowedTools: z.array(ToolPattern).max(100).optional(),
  maxTurns: z.int().min(1).max(10_000).optional(),
  maxBudgetUsd: z.number().positive().max(100_000).optional(),
  appendSystemPrompt: z.string().max(100_000).optional(),
});
export type ClaudeOptions = z.infer<typeof ClaudeOptionsSchema>;

export const TaskLimitsSchema = z.strictObject({
  /** End the turn as killed after this many seconds. */
  maxDurationSec: z.int().min(1).max(7 * 24 * 3600).optional(),
  /** End the turn as killed when claude writes nothing for this many seconds. */
  idleTimeoutSec: z.int().min(1).max(24 * 3600).optional(),
});

export const TaskCreateSchema = z.strictObject({
  workspace: RefSchema.optional(),
  team: RefSchema.optional(),
  prompt: z.string().min(1, 'prompt must not be empty'),
  workdir: z.string().min(1).max(4096).optional(),
  priority: z.int().min(0).max(1000).optional(),
  labels: z.record(z.string().max(63), z.string().max(255)).optional(),
  ...ClaudeOptionsSchema.shape,
  ...TaskLimitsSchema.shape,
});
export type TaskCreate = z.infer<typeof TaskCreateSchema>;

export const MessageCreateSchema = z.strictObject({
  prompt: z.string().min(1, 'prompt must not be empty'),
});

export const TaskStatusSchema = z.enum(TASK_STATUSES);

export const UsageSchema = z.object({
  inputTokens: z.number(),
  outputTokens: z.number(),
  cacheCreationInputTokens: z.number(),
  cacheReadInputTokens: z.number(),
});
export type Usage = z.infer<typeof UsageSchema>;

export const TodoSchema = z.object({
  content: z.string(),
  status: z.string(),
  activeForm: z.string().optional(),
});
export type Todo = z.infer<typeof TodoSchema>;

export const TURN_OUTCOMES = ['exited', 'killed', 'rate_limited', 'spawn_failed', 'lost'] as const;
export type TurnOutcome = (typeof TURN_OUTCOMES)[number];

export const TurnViewSchema = z.object({
  n: z.int(),
  prompt: z.string(),
  status: z.enum(['queued', 'running', 'completed', 'failed', 'killed', 'rate_limited', 'lost', 'cancelled']),
  exitCode: z.int().nullable(),
  outcome: z.enum(TURN_OUTCOMES).nullable(),
  result: z.string().nullable(),
  isError: z.boolean().nullable(),
  costUsd: z.number().nullable(),
  numTurns: z.int().nullable(),
  durationMs: z.int().nullable(),
  startSeq: z.int().nullable(),
  endSeq: z.int().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type TurnView = z.infer<typeof TurnViewSchema>;

export const TaskViewSchema = z
  .object({
    id: z.string(),
    workspace: z.string().nullable(),
    team: z.string(),
    status: TaskStatusSchema,
    prompt: z.string(),
    workdir: z.string(),
    priority: z.int(),
    labels: z.record(z.string(), z.string()),
    options: ClaudeOptionsSchema,
    maxDurationSec: z.int().nullable(),
    idleTimeoutSec: z.int().nullable(),
    sessionId: z.string(),
    exitCode: z.int().nullable(),
    result: z.string().nullable(),
    isError: z.boolean().nullable(),
    costUsd: z.number(),
    numTurns: z.int(),
    durationMs: z.int(),
    usage: UsageSchema,
    todos: z.array(TodoSchema),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    rateLimitedUntil: z.string().nullable(),
    attempts: z.int(),
    lastSeq: z.int(),
    turns: z.array(TurnViewSchema),
    attach: z.object({ tmuxSession: z.string(), command: z.string() }),
    createdBy: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
  })
  .meta({ id: 'Task' });
export type TaskView = z.infer<typeof TaskViewSchema>;

export const OutputLineSchema = z.object({
  seq: z.int().min(1),
  ts: z.number(),
  line: z.string(),
});
export type OutputLine = z.infer<typeof OutputLineSchema>;

// ---------------------------------------------------------------------------------------------
// Agent protocol (/agent/v1). Parsed with these schemas on both ends.
// ---------------------------------------------------------------------------------------------

export const AgentRegisterSchema = z.strictObject({
  hostname: z.string().max(255),
  agentVersion: z.string().max(64),
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

// ---------------------------------------------------------------------------------------------
// Fleet: workspaces, agents, teams, quotas, tokens, audit (/v1)
// ---------------------------------------------------------------------------------------------

export const RATE_LIMIT_SCOPES = ['workspace', 'team'] as const;

export const WorkspaceCreateSchema = z.strictObject({
  name: NameSchema,
  team: RefSchema,
  maxConcurrency: z.int().min(1).max(256).optional(),
  paused: z.boolean().optional(),
  pool: z.boolean().optional(),
  rateLimitScope: z.enum(RATE_LIMIT_SCOPES).optional(),
  labels: z.record(z.string().max(63), z.string().max(255)).optional(),
  /** Absolute directories a task's workdir must lie under. */
  workdirRoots: z.array(z.string().min(1).max(4096)).min(1).max(32).optional(),
});
export type WorkspaceCreate = z.infer<typeof WorkspaceCreateSchema>;

export const WorkspacePatchSchema = WorkspaceCreateSchema.omit({ name: true, team: true }).partial();
export type WorkspacePatch = z.infer<typeof WorkspacePatchSchema>;

export const AgentViewSchema = z
  .object({
    id: z.string(),
    workspace: z.string(),
    hostname: z.string(),
    agentVersion: z.string(),
    claudeVersion: z.string().nullable(),
    tmuxVersion: z.string().nullable(),
    simulated: z.boolean(),
    slots: z.int(),
    freeSlots: z.int(),
    problems: z.array(z.string()),
    online: z.boolean(),
    lastSeenAt: z.string(),
    registeredAt: z.string(),
  })
  .meta({ id: 'Agent' });
export type AgentView = z.infer<typeof AgentViewSchema>;

export const WorkspaceViewSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    team: z.string(),
    maxConcurrency: z.int(),
    paused: z.boolean(),
    pool: z.boolean(),
    rateLimitScope: z.enum(RATE_LIMIT_SCOPES),
    labels: z.record(z.string(), z.string()),
    workdirRoots: z.array(z.string()),
    rateLimitedUntil: z.string().nullable(),
    /** True when an agent is online with no readiness problems and the workspace is not paused. */
    ready: z.boolean(),
    /** Why it is not ready, in words. */
    problems: z.array(z.string()),
    agent: AgentViewSchema.nullable(),
    running: z.int(),
    queued: z.int(),
    createdAt: z.string(),
  })
  .meta({ id: 'Workspace' });
export type WorkspaceView = z.infer<typeof WorkspaceViewSchema>;

export const TeamCreateSchema = z.strictObject({ name: NameSchema });

/** null = unlimited. */
export const QuotaSchema = z.strictObject({
  maxRunning: z.int().min(0).max(100_000).nullable(),
  maxQueued: z.int().min(0).max(1_000_000).nullable(),
  tasksPerDay: z.int().min(0).max(10_000_000).nullable(),
  monthlyBudgetUsd: z.number().min(0).max(10_000_000).nullable(),
});
export type Quota = z.infer<typeof QuotaSchema>;

export const TeamViewSchema = z
  .object({ id: z.string(), name: z.string(), quota: QuotaSchema, createdAt: z.string() })
  .meta({ id: 'Team' });
export type TeamView = z.infer<typeof TeamViewSchema>;

const UsageLine = z.object({ current: z.number(), limit: z.number().nullable() });
export const TeamUsageSchema = z
  .object({
    team: z.string(),
    running: UsageLine,
    queued: UsageLine,
    tasksToday: UsageLine,
    monthSpendUsd: UsageLine,
    rateLimitedUntil: z.string().nullable(),
  })
  .meta({ id: 'TeamUsage' });
export type TeamUsage = z.infer<typeof TeamUsageSchema>;

export const ROLES = ['admin', 'member', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const TokenCreateSchema = z.strictObject({
  name: z.string().min(1).max(100),
  role: z.enum(ROLES),
  team: RefSchema.optional(),
  defaultWorkspace: RefSchema.optional(),
  expiresAt: z.iso.datetime({ offset: true }).optional(),
});
export type TokenCreate = z.infer<typeof TokenCreateSchema>;

export const TokenViewSchema = z
  .object({
    id: z.string(),
    kind: z.enum(['user', 'agent']),
    name: z.string(),
    role: z.enum([...ROLES, 'agent']),
    team: z.string().nullable(),
    workspace: z.string().nullable(),
    defaultWorkspace: z.string().nullable(),
    /** The first characters, to tell tokens apart; never enough to use. */
    prefix: z.string(),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    expiresAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .meta({ id: 'Token' });
export type TokenView = z.infer<typeof TokenViewSchema>;

/** Returned once, at creation: the only time the secret is shown. */
export const TokenCreatedSchema = TokenViewSchema.extend({ token: z.string() }).meta({
  id: 'TokenCreated',
});

export const AuditEntrySchema = z
  .object({
    id: z.int(),
    ts: z.string(),
    actor: z.string().nullable(),
    action: z.string(),
    targetType: z.string(),
    targetId: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'AuditEntry' });
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

/** Cursor-paginated list wrapper. */
export function pageOf<T extends z.ZodType>(item: T, key: string) {
  return z.object({ [key]: z.array(item), nextCursor: z.string().nullable() });
}
