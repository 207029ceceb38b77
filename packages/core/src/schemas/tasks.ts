import { z } from 'zod';
import { TASK_STATUSES } from '../task-state.ts';
import { ClaudeOptionsSchema, NameSchema, RefSchema } from './options.ts';

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
