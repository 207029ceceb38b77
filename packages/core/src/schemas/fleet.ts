import { z } from 'zod';
import { ApprovalPolicySchema } from './approvals.ts';
import {
  NameSchema,
  PermissionCeilingSchema,
  PermissionModeSchema,
  RefSchema,
  WorkspaceClaudeOptionsSchema,
} from './options.ts';
import { Identifier, LabelsSchema, PathText } from './text.ts';

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
  labels: LabelsSchema.optional(),
  /** Absolute directories a task's workdir must lie under. */
  workdirRoots: z.array(PathText).min(1).max(32).optional(),
  ...PermissionCeilingSchema.partial().shape,
  /** Mode of a task that names none; must be one of `permissionModes`. */
  defaultPermissionMode: PermissionModeSchema.optional(),
  ...WorkspaceClaudeOptionsSchema.partial().shape,
  /** Who answers the tool calls claude would ask about (#15): rules, a default, a timeout. */
  approvalPolicy: ApprovalPolicySchema.optional(),
});
export type WorkspaceCreate = z.infer<typeof WorkspaceCreateSchema>;

export const WorkspacePatchSchema = WorkspaceCreateSchema.omit({ name: true, team: true }).partial();
export type WorkspacePatch = z.infer<typeof WorkspacePatchSchema>;

/** The fields of a workspace a member of its team may change; every other one is an admin's. */
export const MEMBER_WORKSPACE_FIELDS = ['labels', 'paused'] as const satisfies readonly (keyof WorkspacePatch)[];

export const AgentViewSchema = z
  .object({
    id: z.string(),
    workspace: z.string(),
    hostname: z.string(),
    agentVersion: z.string(),
    claudeVersion: z.string().nullable(),
    /** False when this claude version has not been through the contract suite; null for none or claude-sim. */
    claudeVersionTested: z.boolean().nullable().default(null),
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
    ...PermissionCeilingSchema.shape,
    defaultPermissionMode: PermissionModeSchema,
    ...WorkspaceClaudeOptionsSchema.shape,
    rateLimitedUntil: z.string().nullable(),
    /** True when an agent is online with no readiness problems and the workspace is not paused. */
    ready: z.boolean(),
    /** Why it is not ready, in words. */
    problems: z.array(z.string()),
    agent: AgentViewSchema.nullable(),
    running: z.int(),
    queued: z.int(),
    /** The approval policy; the default (ask for everything, 1 h timeout) when none is set. */
    approvalPolicy: ApprovalPolicySchema.optional(),
    /** Running tasks holding a slot while a tool call waits on a person. */
    slotsAwaitingApproval: z.int().optional(),
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
  name: Identifier(100).min(1),
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

