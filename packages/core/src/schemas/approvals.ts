import { z } from 'zod';
import { ToolRuleSchema } from './options.ts';

// ---------------------------------------------------------------------------------------------
// Approvals (#15): a tool call claude would ask about, relayed by the agent from claude's
// `--permission-prompt-tool` to the API, where a policy or a person answers it. A task that
// waits on one stays `running` (on /api/claude too) with `pendingApprovals` > 0: waiting is a
// flag, not a status, so the state machine and every client that switches on status are unchanged.
// ---------------------------------------------------------------------------------------------

/** Bytes of a tool call's input kept and shown; a larger input is refused (denied, with a message). */
export const MAX_APPROVAL_INPUT_BYTES = 64 * 1024;

export const APPROVAL_STATUSES = ['pending', 'allowed', 'denied', 'expired', 'closed'] as const;
export const ApprovalStatusSchema = z.enum(APPROVAL_STATUSES);
export type ApprovalStatus = z.infer<typeof ApprovalStatusSchema>;

/**
 * What a person answers: allow this call once; allow every later call matching the same rule for
 * the rest of this task (the rule is the tool name, or `Bash(<first word>:*)` for Bash); or deny.
 */
export const APPROVAL_DECISIONS = ['allow_once', 'allow_for_task', 'deny'] as const;
export const ApprovalDecisionSchema = z.enum(APPROVAL_DECISIONS);
export type ApprovalDecision = z.infer<typeof ApprovalDecisionSchema>;

/** A workspace's policy, admin-set, in Claude Code's rule syntax. First matching rule wins. */
export const ApprovalPolicySchema = z.strictObject({
  rules: z.array(z.strictObject({ effect: z.enum(['allow', 'deny', 'ask']), rule: ToolRuleSchema })).max(100).default([]),
  /** For a call no rule matches. */
  default: z.enum(['ask', 'allow', 'deny']).default('ask'),
  /** How long a person may take; past it the call is denied with a message claude reads. */
  timeoutSec: z.int().min(10).max(7 * 86_400).default(3_600),
});
export type ApprovalPolicy = z.infer<typeof ApprovalPolicySchema>;

/** What claude's permission prompt tool returns, as the CLI expects it. */
export const ApprovalAnswerSchema = z.discriminatedUnion('behavior', [
  z.object({ behavior: z.literal('allow'), updatedInput: z.record(z.string(), z.unknown()) }),
  z.object({ behavior: z.literal('deny'), message: z.string().max(4096) }),
]);
export type ApprovalAnswer = z.infer<typeof ApprovalAnswerSchema>;

// --- agent ↔ API (/agent/v1, protocol 1.2) -----------------------------------------------------

/** `POST /agent/v1/tasks/{id}/approvals`: claude asked; the policy may answer at once. */
export const ApprovalRequestSchema = z.strictObject({
  leaseToken: z.string().max(200),
  turn: z.int().min(1),
  toolName: z.string().min(1).max(200),
  toolUseId: z.string().max(200),
  input: z.record(z.string(), z.unknown()),
});
export type ApprovalRequest = z.infer<typeof ApprovalRequestSchema>;

/**
 * The answer to the agent, from the POST and from `GET /agent/v1/approvals/{id}?waitMs=…` (a
 * long-poll, ≤ 25 000 ms): `answer` null while a person has not answered.
 */
export const ApprovalVerdictSchema = z.object({
  approvalId: z.string(),
  status: ApprovalStatusSchema,
  answer: ApprovalAnswerSchema.nullable(),
});
export type ApprovalVerdict = z.infer<typeof ApprovalVerdictSchema>;

/** In a lease (protocol 1.2): present when claude's mode may ask, so the agent wires the prompt tool. */
export const LeaseApprovalsSchema = z.object({ timeoutSec: z.int() });

// --- users (/v1) --------------------------------------------------------------------------------

/** `POST /v1/approvals/{id}`. `updatedInput` (allow only) runs the call with an edited input. */
export const ApprovalAnswerRequestSchema = z.strictObject({
  decision: ApprovalDecisionSchema,
  message: z.string().max(4096).optional(),
  updatedInput: z.record(z.string(), z.unknown()).optional(),
});
export type ApprovalAnswerRequest = z.infer<typeof ApprovalAnswerRequestSchema>;

export const ApprovalViewSchema = z.object({
  id: z.string(),
  taskId: z.string(),
  workspace: z.string().nullable(),
  team: z.string(),
  turn: z.int(),
  toolName: z.string(),
  toolUseId: z.string(),
  input: z.record(z.string(), z.unknown()),
  status: ApprovalStatusSchema,
  decision: ApprovalDecisionSchema.nullable(),
  /** The deny message, or why it expired or closed. */
  message: z.string().nullable(),
  updatedInput: z.record(z.string(), z.unknown()).nullable(),
  /** `policy` when a rule answered, else the answering token's name. */
  answeredBy: z.string().nullable(),
  /** The policy rule that answered, if one did. */
  rule: z.string().nullable(),
  createdAt: z.string(),
  answeredAt: z.string().nullable(),
  expiresAt: z.string(),
});
export type ApprovalView = z.infer<typeof ApprovalViewSchema>;
