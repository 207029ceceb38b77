import { sql } from 'drizzle-orm';
import {
  index,
  integer,
  primaryKey,
  real,
  sqliteTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/sqlite-core';
import { DEFAULT_ALLOWED_TOOLS, DEFAULT_PERMISSION_MODES, type ApprovalPolicy, type PermissionMode } from '@switchyard/core';

// Times are epoch milliseconds; JSON columns hold small documents (labels, options, usage).

export const teams = sqliteTable('teams', {
  id: text('id').primaryKey(),
  name: text('name').notNull().unique(),
  maxRunning: integer('max_running'),
  maxQueued: integer('max_queued'),
  tasksPerDay: integer('tasks_per_day'),
  monthlyBudgetUsd: real('monthly_budget_usd'),
  /** Set when a workspace with rateLimitScope=team hit a limit: the team's shared key. */
  rateLimitedUntil: integer('rate_limited_until'),
  createdAt: integer('created_at').notNull(),
});

export const workspaces = sqliteTable(
  'workspaces',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull().unique(),
    teamId: text('team_id')
      .notNull()
      .references(() => teams.id),
    maxConcurrency: integer('max_concurrency').notNull().default(1),
    paused: integer('paused', { mode: 'boolean' }).notNull().default(false),
    pool: integer('pool', { mode: 'boolean' }).notNull().default(false),
    rateLimitScope: text('rate_limit_scope', { enum: ['workspace', 'team'] })
      .notNull()
      .default('workspace'),
    labels: text('labels', { mode: 'json' }).$type<Record<string, string>>().notNull().default({}),
    workdirRoots: text('workdir_roots', { mode: 'json' }).$type<string[]>().notNull(),
    rateLimitedUntil: integer('rate_limited_until'),
    /** Consecutive rate limits without a known reset, for exponential backoff. */
    backoffLevel: integer('backoff_level').notNull().default(0),
    /** When this workspace last got a team slot: fairness goes to the longest waiting. */
    lastGrantAt: integer('last_grant_at').notNull().default(0),
    createdAt: integer('created_at').notNull(),
    // The permission ceiling and admin-only options (migration 0001).
    permissionModes: text('permission_modes', { mode: 'json' })
      .$type<PermissionMode[]>()
      .notNull()
      .default([...DEFAULT_PERMISSION_MODES]),
    defaultPermissionMode: text('default_permission_mode').$type<PermissionMode>().notNull().default('default'),
    allowedTools: text('allowed_tools', { mode: 'json' })
      .$type<string[]>()
      .notNull()
      .default([...DEFAULT_ALLOWED_TOOLS]),
    disallowedTools: text('disallowed_tools', { mode: 'json' }).$type<string[]>().notNull().default([]),
    addDirs: text('add_dirs', { mode: 'json' }).$type<string[]>().notNull().default([]),
    mcpConfig: text('mcp_config', { mode: 'json' }).$type<Record<string, unknown>>(),
    settings: text('settings', { mode: 'json' }).$type<Record<string, unknown>>(),
    systemPrompt: text('system_prompt'),
    models: text('models', { mode: 'json' }).$type<string[]>().notNull().default([]),
    /** Who answers claude's tool calls (migration 0006); null: the default policy. */
    approvalPolicy: text('approval_policy', { mode: 'json' }).$type<ApprovalPolicy>(),
  },
  (t) => [index('workspaces_team').on(t.teamId)],
);

export const agents = sqliteTable(
  'agents',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id),
    hostname: text('hostname').notNull(),
    agentVersion: text('agent_version').notNull(),
    claudeVersion: text('claude_version'),
    tmuxVersion: text('tmux_version'),
    simulated: integer('simulated', { mode: 'boolean' }).notNull().default(false),
    slots: integer('slots').notNull(),
    freeSlots: integer('free_slots').notNull(),
    workdirRoots: text('workdir_roots', { mode: 'json' }).$type<string[]>().notNull(),
    problems: text('problems', { mode: 'json' }).$type<string[]>().notNull(),
    lastSeenAt: integer('last_seen_at').notNull(),
    registeredAt: integer('registered_at').notNull(),
    /** Set when the agent went past its grace period; cleared when it syncs again. */
    lostAt: integer('lost_at'),
    /** The agent's private tmux server socket, for the attach command (migration 0001). */
    tmuxSocket: text('tmux_socket'),
  },
  (t) => [index('agents_workspace').on(t.workspaceId)],
);

export const tokens = sqliteTable(
  'tokens',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: ['user', 'agent'] }).notNull(),
    name: text('name').notNull(),
    role: text('role', { enum: ['admin', 'member', 'viewer', 'agent'] }).notNull(),
    teamId: text('team_id').references(() => teams.id),
    workspaceId: text('workspace_id').references(() => workspaces.id),
    defaultWorkspaceId: text('default_workspace_id').references(() => workspaces.id),
    /** SHA-256 of the whole token, hex. The token itself is never stored. */
    hash: text('hash').notNull().unique(),
    prefix: text('prefix').notNull(),
    createdBy: text('created_by'),
    createdAt: integer('created_at').notNull(),
    lastUsedAt: integer('last_used_at'),
    expiresAt: integer('expires_at'),
    revokedAt: integer('revoked_at'),
  },
);

export const tasks = sqliteTable(
  'tasks',
  {
    id: text('id').primaryKey(),
    teamId: text('team_id')
      .notNull()
      .references(() => teams.id),
    /** Null while a pool task waits for any workspace of its team; pinned once it runs. */
    workspaceId: text('workspace_id').references(() => workspaces.id),
    status: text('status').notNull(),
    prompt: text('prompt').notNull(),
    workdir: text('workdir').notNull(),
    priority: integer('priority').notNull().default(0),
    labels: text('labels', { mode: 'json' }).$type<Record<string, string>>().notNull().default({}),
    options: text('options', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    maxDurationSec: integer('max_duration_sec'),
    idleTimeoutSec: integer('idle_timeout_sec'),
    sessionId: text('session_id').notNull(),
    currentTurn: integer('current_turn').notNull().default(1),
    exitCode: integer('exit_code'),
    result: text('result'),
    isError: integer('is_error', { mode: 'boolean' }),
    costUsd: real('cost_usd').notNull().default(0),
    numTurns: integer('num_turns').notNull().default(0),
    durationMs: integer('duration_ms').notNull().default(0),
    usage: text('usage', { mode: 'json' }).$type<Record<string, number>>(),
    todos: text('todos', { mode: 'json' }).$type<unknown[]>(),
    errorCode: text('error_code'),
    errorMessage: text('error_message'),
    rateLimitedUntil: integer('rate_limited_until'),
    /** Infrastructure attempts of the current turn (agent lost before start, spawn failed). */
    attempts: integer('attempts').notNull().default(0),
    lastSeq: integer('last_seq').notNull().default(0),
    agentId: text('agent_id'),
    /** The BullMQ job of the current turn and its queue; the lease token is the job's lock. */
    jobId: text('job_id'),
    queueName: text('queue_name'),
    leaseToken: text('lease_token'),
    /** True once the agent said the current turn started: from then on it is never re-run. */
    turnStarted: integer('turn_started', { mode: 'boolean' }).notNull().default(false),
    killRequestedAt: integer('kill_requested_at'),
    killReason: text('kill_reason'),
    idempotencyKey: text('idempotency_key'),
    requestHash: text('request_hash'),
    createdBy: text('created_by'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    queuedAt: integer('queued_at').notNull(),
    startedAt: integer('started_at'),
    finishedAt: integer('finished_at'),
    /** Rules a person allowed for the rest of this task (migration 0006). */
    approvalRules: text('approval_rules', { mode: 'json' }).$type<string[]>().notNull().default([]),
  },
  (t) => [
    // With the list's order (migration 0010): a page of tasks reads its length per status.
    index('tasks_status').on(t.status, t.createdAt, t.id),
    index('tasks_workspace_status').on(t.workspaceId, t.status, t.createdAt, t.id),
    index('tasks_team_status').on(t.teamId, t.status, t.createdAt, t.id),
    // Partial (migration 0008): a new task has no agent, finish time or key, so a create writes none of them.
    index('tasks_agent_status').on(t.agentId, t.status).where(sql`${t.agentId} is not null`),
    index('tasks_finished').on(t.finishedAt, t.id).where(sql`${t.finishedAt} is not null`),
    uniqueIndex('tasks_idempotency').on(t.createdBy, t.idempotencyKey).where(sql`${t.idempotencyKey} is not null`),
  ],
);

export const turns = sqliteTable(
  'turns',
  {
    taskId: text('task_id')
      .notNull()
      .references(() => tasks.id),
    n: integer('n').notNull(),
    prompt: text('prompt').notNull(),
    status: text('status').notNull(),
    outcome: text('outcome'),
    exitCode: integer('exit_code'),
    signal: text('signal'),
    result: text('result'),
    isError: integer('is_error', { mode: 'boolean' }),
    costUsd: real('cost_usd'),
    numTurns: integer('num_turns'),
    durationMs: integer('duration_ms'),
    summary: text('summary', { mode: 'json' }).$type<Record<string, unknown>>(),
    reason: text('reason'),
    startSeq: integer('start_seq'),
    endSeq: integer('end_seq'),
    agentId: text('agent_id'),
    createdAt: integer('created_at').notNull(),
    startedAt: integer('started_at'),
    finishedAt: integer('finished_at'),
  },
  (t) => [primaryKey({ columns: [t.taskId, t.n] })],
);

export const outputLines = sqliteTable(
  'output_lines',
  {
    taskId: text('task_id').notNull(),
    seq: integer('seq').notNull(),
    turn: integer('turn').notNull(),
    ts: integer('ts').notNull(),
    line: text('line').notNull(),
  },
  (t) => [primaryKey({ columns: [t.taskId, t.seq] })],
);

/** Every status change of a task, written in the same transaction as the change. */
export const taskEvents = sqliteTable(
  'task_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    taskId: text('task_id').notNull(),
    ts: integer('ts').notNull(),
    fromStatus: text('from_status'),
    toStatus: text('to_status').notNull(),
    reason: text('reason'),
    actor: text('actor'),
  },
  (t) => [index('task_events_task').on(t.taskId)],
);

export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    ts: integer('ts').notNull(),
    actor: text('actor'),
    teamId: text('team_id'),
    action: text('action').notNull(),
    targetType: text('target_type').notNull(),
    targetId: text('target_id'),
    details: text('details', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
  },
  (t) => [index('audit_ts').on(t.ts)],
);

/** A tool call claude asked about (migration 0006): its answer, by a policy or a person. */
export const approvals = sqliteTable(
  'approvals',
  {
    id: text('id').primaryKey(),
    taskId: text('task_id').notNull(),
    teamId: text('team_id').notNull(),
    workspaceId: text('workspace_id'),
    turn: integer('turn').notNull(),
    toolUseId: text('tool_use_id').notNull(),
    toolName: text('tool_name').notNull(),
    input: text('input', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    status: text('status').notNull(),
    decision: text('decision'),
    message: text('message'),
    updatedInput: text('updated_input', { mode: 'json' }).$type<Record<string, unknown>>(),
    answeredBy: text('answered_by'),
    rule: text('rule'),
    createdAt: integer('created_at').notNull(),
    answeredAt: integer('answered_at'),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [
    uniqueIndex('approvals_task_tool_use').on(t.taskId, t.toolUseId),
    index('approvals_status_expires').on(t.status, t.expiresAt),
    index('approvals_task').on(t.taskId),
    index('approvals_workspace_status').on(t.workspaceId, t.status),
    index('approvals_team_created').on(t.teamId, t.createdAt),
  ],
);

export const meta = sqliteTable('meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

/** Tasks created but not yet in the search index (`task_fts`, FTS5; migration 0007). */
export const taskFtsPending = sqliteTable('task_fts_pending', {
  taskRowid: integer('task_rowid').primaryKey(),
});

/** Tasks per status, kept by triggers in the statement that changes a task (migration 0009). */
export const taskStatusCounts = sqliteTable('task_status_counts', {
  status: text('status').primaryKey(),
  n: integer('n').notNull(),
});
