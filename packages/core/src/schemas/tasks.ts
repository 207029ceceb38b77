import { z } from 'zod';
import { TASK_STATUSES } from '../task-state.ts';
import { ClaudeOptionsSchema, RefSchema } from './options.ts';
import { Identifier, LabelsSchema, ProseText } from './text.ts';

export const TaskLimitsSchema = z.strictObject({
  /** End the turn as killed after this many seconds. */
  maxDurationSec: z.int().min(1).max(7 * 24 * 3600).optional(),
  /** End the turn as killed when claude writes nothing for this many seconds. */
  idleTimeoutSec: z.int().min(1).max(24 * 3600).optional(),
});

export const TaskCreateSchema = z.strictObject({
  workspace: RefSchema.optional(),
  team: RefSchema.optional(),
  prompt: ProseText().min(1, 'prompt must not be empty'),
  workdir: Identifier(4096).min(1).optional(),
  priority: z.int().min(0).max(1000).optional(),
  labels: LabelsSchema.optional(),
  ...ClaudeOptionsSchema.shape,
  ...TaskLimitsSchema.shape,
});
export type TaskCreate = z.infer<typeof TaskCreateSchema>;

export const MessageCreateSchema = z.strictObject({
  prompt: ProseText().min(1, 'prompt must not be empty'),
});

export const TaskStatusSchema = z.enum(TASK_STATUSES);

/** A token count an agent reports: a whole number, never negative, never absurd. */
const TokenCount = z.int().min(0).max(1e13);

export const UsageSchema = z.object({
  inputTokens: TokenCount,
  outputTokens: TokenCount,
  cacheCreationInputTokens: TokenCount,
  cacheReadInputTokens: TokenCount,
});
export type Usage = z.infer<typeof UsageSchema>;

export const TodoSchema = z.object({
  content: z.string().max(10_000),
  status: z.string().max(64),
  activeForm: z.string().max(10_000).optional(),
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
  /** Tool calls claude's permission mode refused in this turn: not a clean success even when it ended `completed`. */
  permissionDenials: z.array(z.object({ toolName: z.string(), input: z.unknown() })).default([]),
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
    /** Which tool kept the todo list: TodoWrite, or TaskCreate/TaskUpdate in newer CLIs. */
    todoSource: z.enum(['TodoWrite', 'TaskCreate']).nullable().default(null),
    /** The last turn's structured result, when the task gave a jsonSchema. */
    structuredOutput: z.unknown().optional(),
    /** Every refused tool call of every turn, with its turn (absent from a v0.1.0 API: empty). */
    permissionDenials: z.array(z.object({ turn: z.int(), toolName: z.string(), input: z.unknown() })).default([]),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    rateLimitedUntil: z.string().nullable(),
    attempts: z.int(),
    lastSeq: z.int(),
    /** Tool calls of the current turn waiting on a person (#15); the task stays `running`. */
    pendingApprovals: z.int().optional(),
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
  /** Epoch ms. */
  ts: z.number().min(0).max(1e14),
  line: z.string(),
});
export type OutputLine = z.infer<typeof OutputLineSchema>;
